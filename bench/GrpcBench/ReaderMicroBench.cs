using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Bench.Grpc;

/// <summary>
/// What the raw-input copy cost: a parsed <c>ModelInferRequest</c>'s raw_input_contents turned into the tensor the
/// batcher runs, as before (rent a pooled buffer, copy, give it back) and as now (wrap the message's bytes), per request
/// of 1 and 64 MLP rows (512 FP32 each). The parse itself, which both share, is reported apart. Best of five rounds, as
/// wall time on one thread: on a loaded machine the best round is the least disturbed.
/// </summary>
internal static class ReaderMicroBench
{
    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("The raw-input step alone (`grpcbench --micro`): best of five rounds, wall time on one thread.");
        Console.WriteLine();
        Console.WriteLine("| rows | parse ns/request | copy into pooled tensor ns/request | wrap ns/request | copy alloc B/request | wrap alloc B/request |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var rows in new[] { 1, 64 })
        {
            var values = new float[rows * 512];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = MathF.Sin(i);
            }

            var message = new ModelInferRequest { ModelName = "mlp" };
            message.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { rows, 512 } });
            message.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
            var wire = message.ToByteArray();
            var parsed = ModelInferRequest.Parser.ParseFrom(wire);
            long[] shape = [rows, 512];
            var iterations = rows == 1 ? 200_000 : 20_000;

            var parse = Best(iterations, () => ModelInferRequest.Parser.ParseFrom(wire));
            var copy = Best(iterations, () =>
            {
                var bytes = parsed.RawInputContents[0].Span;
                var buffer = TensorBuffers.Rent(bytes.Length);
                bytes.CopyTo(buffer);
                InputTensor.FromPooled("x", TensorElementType.Float, shape, buffer, bytes.Length).Dispose();
            });
            var wrap = Best(iterations, () => InputTensor.FromBorrowed("x", TensorElementType.Float, shape, MemoryMarshal.AsMemory(parsed.RawInputContents[0].Memory)).Dispose());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {rows} | {parse.Ns:F0} | {copy.Ns:F0} | {wrap.Ns:F0} | {copy.Bytes:F0} | {wrap.Bytes:F0} |"));
        }
    }

    private static (double Ns, double Bytes) Best(int iterations, Action action)
    {
        for (var i = 0; i < iterations / 10; i++)
        {
            action();
        }

        var best = double.MaxValue;
        var bytes = 0.0;
        for (var round = 0; round < 5; round++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                action();
            }

            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / iterations);
            bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations;
        }

        return (best, bytes);
    }
}
