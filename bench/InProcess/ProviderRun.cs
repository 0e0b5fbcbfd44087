using System.Diagnostics;
using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Tensors;

namespace Modelhost.Bench.InProcess;

/// <summary>
/// Runs any model on the execution providers given (bench/gpu/run.sh: CUDA against the CPU), one caller, inputs of the
/// model's own shapes with the dynamic dimensions set to the batch (the first) or 1, filled with small values.
/// </summary>
internal static class ProviderRun
{
    public static (double RowsPerSecond, double MsPerRun) Measure(string modelPath, string providers, int batch, double seconds)
    {
        var list = providers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => name switch
            {
                "cpu" => ExecutionProviderConfig.Cpu,
                "cuda" => new ExecutionProviderConfig { Kind = ExecutionProviderKind.Cuda },
                _ => throw new ArgumentException($"unknown execution provider '{name}'; known providers are: {ExecutionProviderConfig.KnownNames}"),
            })
            .ToArray();
        var engine = OnnxRuntimeEngine.Instance;
        using var session = engine.CreateSession(File.ReadAllBytes(modelPath), new EngineSessionOptions { ExecutionProviders = list });
        var names = session.Inputs.Select(i => i.Name).ToArray();
        var outputNames = session.Outputs.Select(o => o.Name).ToArray();
        var buffers = new List<byte[]>();
        var inputs = session.Inputs.Select(input =>
        {
            var shape = input.Shape.Select((d, i) => d >= 0 ? d : i == 0 ? batch : 1).ToArray();
            var bytes = new byte[TensorShape.ElementCount(shape) * TensorDataTypes.ElementSize(input.ElementType)];
            if (input.ElementType == TensorElementType.Float)
            {
                var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
                for (var i = 0; i < floats.Length; i++)
                {
                    floats[i] = (i % 17) / 17f;
                }
            }

            buffers.Add(bytes);
            return engine.CreateTensor(input.ElementType, bytes, shape);
        }).ToArray();
        var rows = session.Inputs.Count > 0 && session.Inputs[0].Shape is [< 0, ..] ? batch : 1;
        try
        {
            void RunOnce()
            {
                foreach (var output in session.Run(names, inputs, outputNames))
                {
                    output.Dispose();
                }
            }

            var warm = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warm).TotalSeconds < Math.Min(1, seconds))
            {
                RunOnce();
            }

            long runs = 0;
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
            {
                RunOnce();
                runs++;
            }

            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return (runs * rows / elapsed, elapsed * 1000 / runs);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }

            GC.KeepAlive(buffers);
        }
    }
}
