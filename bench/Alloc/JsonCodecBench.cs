using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Modelhost.Server.Json;

/// <summary>
/// <c>alloc json</c>: what the V2 JSON codec's hand-written FP32 paths gain over the general-purpose ones, per float,
/// on the MLP benchmark's row (512 values of sin(i)) and on uniform values in [0, 1): formatting with
/// <see cref="Utf8Float.Format"/> against <see cref="Utf8JsonWriter.WriteNumberValue(float)"/>, parsing with
/// <see cref="Utf8Float.TryParse"/> against <see cref="Utf8Parser"/>, and a whole <c>[1, 512]</c> request parsed by
/// <see cref="V2RequestParser"/>, and the check that the request is UTF-8 that reading every JSON body now adds
/// (<see cref="System.Text.Unicode.Utf8.IsValid(ReadOnlySpan{byte})"/>) with its scan for escapes of half a surrogate
/// pair (<c>RequestBody.UnpairedSurrogateEscape</c>). Best of five rounds of wall time on one thread (on a shared machine the best round is
/// the least disturbed).
/// </summary>
internal static class JsonCodecBench
{
    private const int Values = 512;

    public static void Run(int rounds)
    {
        Console.WriteLine($"The V2 JSON codec's FP32 paths, ns per float, best of 5 rounds of {rounds:N0} x {Values} floats:");
        Console.WriteLine();
        Console.WriteLine("| values | format: Utf8Float | format: Utf8JsonWriter | parse: Utf8Float | parse: Utf8Parser | whole [1,512] request: V2RequestParser | its UTF-8 check | its surrogate-escape check |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        var random = new Random(1);
        foreach (var (name, values) in new[]
        {
            ("sin(i), the MLP row", Enumerable.Range(0, Values).Select(i => MathF.Sin(i)).ToArray()),
            ("uniform [0, 1)", Enumerable.Range(0, Values).Select(_ => (float)random.NextDouble()).ToArray()),
        })
        {
            var texts = values.Select(v => Encoding.UTF8.GetBytes(v.ToString("R", CultureInfo.InvariantCulture))).ToArray();
            var body = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"x\",\"shape\":[1," + Values + "],\"datatype\":\"FP32\",\"data\":["
                + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]}]}");
            Check(values, texts, body);

            var buffer = new byte[Utf8Float.MaxLength];
            var output = new ArrayBufferWriter<byte>(Values * 16);
            using var writer = new Utf8JsonWriter(output);
            var formatOurs = Best(rounds, () =>
            {
                var total = 0;
                foreach (var v in values)
                {
                    total += Utf8Float.Format(v, buffer);
                }

                return total;
            });
            var formatWriter = Best(rounds, () =>
            {
                output.ResetWrittenCount();
                writer.Reset();
                writer.WriteStartArray();
                foreach (var v in values)
                {
                    writer.WriteNumberValue(v);
                }

                writer.WriteEndArray();
                writer.Flush();
                return output.WrittenCount;
            });
            var parseOurs = Best(rounds, () =>
            {
                var total = 0;
                foreach (var text in texts)
                {
                    total += Utf8Float.TryParse(text, out var v) && v > -2 ? 1 : 0;
                }

                return total;
            });
            var parseFramework = Best(rounds, () =>
            {
                var total = 0;
                foreach (var text in texts)
                {
                    total += Utf8Parser.TryParse(text, out float v, out _) && v > -2 ? 1 : 0;
                }

                return total;
            });
            var request = Best(rounds, () =>
            {
                using var parsed = V2RequestParser.Parse(body);
                return parsed.Inputs.Count;
            });
            var utf8 = Best(rounds, () => System.Text.Unicode.Utf8.IsValid(body) ? 1 : 0);
            var escapes = Best(rounds, () => Modelhost.Server.Http.RequestBody.UnpairedSurrogateEscape(body) + 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {formatOurs:F1} | {formatWriter:F1} | {parseOurs:F1} | {parseFramework:F1} | {request:F1} | {utf8:F2} | {escapes:F2} |"));
        }
    }

    /// <summary>
    /// The fast paths must agree with the framework before their speed means anything: the same text as
    /// <see cref="Utf8JsonWriter.WriteNumberValue(float)"/> for every value, the same float as <see cref="Utf8Parser"/>
    /// for every text, and the request's tensor holding exactly the values.
    /// </summary>
    private static void Check(float[] values, byte[][] texts, byte[] body)
    {
        var buffer = new byte[Utf8Float.MaxLength];
        var output = new ArrayBufferWriter<byte>(64);
        using var writer = new Utf8JsonWriter(output);
        for (var i = 0; i < values.Length; i++)
        {
            output.ResetWrittenCount();
            writer.Reset();
            writer.WriteNumberValue(values[i]);
            writer.Flush();
            var written = Utf8Float.Format(values[i], buffer);
            if (!buffer.AsSpan(0, written).SequenceEqual(output.WrittenSpan))
            {
                throw new InvalidOperationException($"Utf8Float.Format wrote {Encoding.UTF8.GetString(buffer, 0, written)}, Utf8JsonWriter {Encoding.UTF8.GetString(output.WrittenSpan)}");
            }

            if (!Utf8Float.TryParse(texts[i], out var parsed) || !Utf8Parser.TryParse(texts[i], out float expected, out _) || BitConverter.SingleToInt32Bits(parsed) != BitConverter.SingleToInt32Bits(expected))
            {
                throw new InvalidOperationException($"Utf8Float.TryParse({Encoding.UTF8.GetString(texts[i])}) read {parsed:R}");
            }
        }

        using var request = V2RequestParser.Parse(body);
        var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(request.Inputs[0].Data.Span);
        if (!data.SequenceEqual(values))
        {
            throw new InvalidOperationException("V2RequestParser read other values than the body holds");
        }
    }

    /// <summary>ns per float of the best of five rounds; the work's result is kept so that it is not optimised away.</summary>
    private static double Best(int rounds, Func<int> work)
    {
        // Half a second first, so that tiered compilation has finished with the path (a shorter warm-up left the
        // first case measured partly in lower tiers: 47.5 ns per float instead of 25).
        var sink = 0L;
        var warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 0.5)
        {
            sink += work();
        }

        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < rounds; i++)
            {
                sink += work();
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / ((double)rounds * Values));
        }

        GC.KeepAlive(sink);
        return best;
    }
}
