using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

public sealed class Utf8FloatTests
{
    private static string Written(float value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteNumberValue(value);
        }

        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    private static string Formatted(float value)
    {
        var bytes = new byte[Utf8Float.MaxLength];
        return Encoding.ASCII.GetString(bytes, 0, Utf8Float.Format(value, bytes));
    }

    private static IEnumerable<float> EdgeValues()
    {
        yield return 0f;
        yield return -0f;
        yield return float.MaxValue;
        yield return float.MinValue;
        yield return float.Epsilon;
        yield return -float.Epsilon;
        yield return 1.17549435E-38f;
        yield return 16777216f;
        yield return 16777215f;
        for (var e = -45; e <= 38; e++)
        {
            yield return (float)Math.Pow(10, e);
            yield return 1.5f * (float)Math.Pow(10, e);
            yield return -1.2345678f * (float)Math.Pow(10, e);
        }

        for (var e = -149; e <= 127; e++)
        {
            var power = MathF.ScaleB(1, e);
            yield return power;
            yield return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(power) - 1);
            yield return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(power) + 1);
        }
    }

    private static IEnumerable<float> RandomValues(int count)
    {
        var random = new Random(20261122);
        for (var i = 0; i < count; i++)
        {
            var value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            if (float.IsFinite(value))
            {
                yield return value;
            }

            yield return (float)random.NextDouble();
            yield return (float)((random.NextDouble() - 0.5) * 0.1);
        }
    }

    [Fact]
    public void Format_writes_what_the_json_writer_writes_for_every_kind_of_value()
    {
        foreach (var value in EdgeValues().Concat(RandomValues(100_000)))
        {
            Assert.Equal(Written(value), Formatted(value));
        }
    }

    [Fact]
    public void Format_writes_what_the_json_writer_writes_across_every_binade_and_the_smallest_subnormals()
    {
        // Every exponent with mantissas at a prime stride (each binade's first and last included), and every
        // subnormal below 2^16 ulps, where the rounding interval holds the fewest candidates. (Every finite FP32 value
        // was checked once against the framework, 2,139,095,040 positive ones; too slow for each run.)
        var output = new ArrayBufferWriter<byte>(32);
        using var writer = new Utf8JsonWriter(output);
        var formatted = new byte[Utf8Float.MaxLength];
        var checkedCount = 0;
        foreach (var bits in Patterns())
        {
            var value = BitConverter.UInt32BitsToSingle(bits);
            output.ResetWrittenCount();
            writer.Reset();
            writer.WriteNumberValue(value);
            writer.Flush();
            var written = Utf8Float.Format(value, formatted);
            if (!output.WrittenSpan.SequenceEqual(formatted.AsSpan(0, written)))
            {
                Assert.Fail($"{bits:X8}: Format wrote {Encoding.ASCII.GetString(formatted, 0, written)}, the writer {Encoding.ASCII.GetString(output.WrittenSpan)}");
            }

            checkedCount++;
        }

        Assert.True(checkedCount > 2_000_000);

        static IEnumerable<uint> Patterns()
        {
            for (uint mantissa = 1; mantissa < 1 << 16; mantissa++)
            {
                yield return mantissa;
                yield return mantissa | 0x8000_0000;
            }

            for (uint exponent = 0; exponent < 255; exponent++)
            {
                for (uint mantissa = 0; mantissa < 1 << 23; mantissa += 1021)
                {
                    yield return (exponent << 23) | mantissa;
                }

                yield return (exponent << 23) | ((1u << 23) - 1);
            }
        }
    }

    [Theory]
    [InlineData(0.5f, "0.5")]
    [InlineData(0.0001f, "0.0001")]
    [InlineData(0.00001f, "1E-05")]
    [InlineData(123456790f, "123456790")]
    [InlineData(1e9f, "1E+09")]
    [InlineData(-1.5e-7f, "-1.5E-07")]
    [InlineData(3.4028235e38f, "3.4028235E+38")]
    [InlineData(0.1f, "0.1")]
    public void Format_writes_the_shortest_text_that_reads_back(float value, string expected) =>
        Assert.Equal(expected, Formatted(value));

    [Fact]
    public void TryParse_reads_back_every_formatted_value()
    {
        foreach (var value in EdgeValues().Concat(RandomValues(100_000)))
        {
            var text = Encoding.ASCII.GetBytes(Formatted(value));
            Assert.True(Utf8Float.TryParse(text, out var parsed));
            Assert.Equal(BitConverter.SingleToUInt32Bits(value), BitConverter.SingleToUInt32Bits(parsed));
        }
    }

    [Fact]
    public void TryParse_agrees_with_the_general_parser_on_any_json_number()
    {
        var random = new Random(7);
        var text = new StringBuilder();
        for (var i = 0; i < 200_000; i++)
        {
            text.Clear();
            if (random.Next(4) == 0)
            {
                text.Append('-');
            }

            var integerDigits = random.Next(0, 14);
            if (integerDigits == 0)
            {
                text.Append('0');
            }
            else
            {
                text.Append((char)('1' + random.Next(9)));
                for (var k = 1; k < integerDigits; k++)
                {
                    text.Append((char)('0' + random.Next(10)));
                }
            }

            if (random.Next(3) != 0)
            {
                text.Append('.');
                var fractionDigits = random.Next(1, 26);
                for (var k = 0; k < fractionDigits; k++)
                {
                    text.Append((char)('0' + (random.Next(3) == 0 ? 0 : random.Next(10))));
                }
            }

            if (random.Next(3) == 0)
            {
                text.Append(random.Next(2) == 0 ? 'e' : 'E').Append("+-"[random.Next(2)]).Append(random.Next(0, 50));
            }

            var bytes = Encoding.ASCII.GetBytes(text.ToString());
            var expectedOk = Utf8Parser.TryParse(bytes, out float expected, out var consumed) && consumed == bytes.Length && float.IsFinite(expected);
            Assert.Equal(expectedOk, Utf8Float.TryParse(bytes, out var parsed));
            if (expectedOk)
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(parsed));
            }
        }
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-3.5e38")]
    [InlineData("340282356779733661637539395458142568448")]
    public void TryParse_rejects_numbers_beyond_fp32(string text) =>
        Assert.False(Utf8Float.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("1e-46", 0f)]
    [InlineData("-0", -0f)]
    [InlineData("1.401298464324817e-45", 1e-45f)]
    [InlineData("16777217", 16777216f)]
    [InlineData("0.100000001490116119384765625", 0.1f)]
    [InlineData("12345678901234567890123", 1.2345679e22f)]
    public void TryParse_rounds_hard_cases_correctly(string text, float expected)
    {
        Assert.True(Utf8Float.TryParse(Encoding.ASCII.GetBytes(text), out var parsed));
        Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(parsed));
        Assert.Equal(float.Parse(text, CultureInfo.InvariantCulture), parsed);
    }
}
