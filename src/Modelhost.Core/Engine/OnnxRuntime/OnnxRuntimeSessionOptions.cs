using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Modelhost.Core.Configuration;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>Maps <see cref="EngineSessionOptions"/> onto ORT's <see cref="SessionOptions"/>, execution providers included.</summary>
internal static class OnnxRuntimeSessionOptions
{
    private const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>Creates the ORT options; the caller owns and disposes them.</summary>
    /// <exception cref="EngineException">An execution provider is not in this build or cannot be used here (<see cref="EngineErrorKind.ProviderUnavailable"/>).</exception>
    public static SessionOptions Create(EngineSessionOptions options, IReadOnlyCollection<string> availableProviders)
    {
        var native = new SessionOptions();
        try
        {
            native.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            native.IntraOpNumThreads = options.IntraOpThreads;
            native.InterOpNumThreads = options.InterOpThreads;
            native.GraphOptimizationLevel = options.OptimizationLevel switch
            {
                OptimizationLevel.Disable => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            if (!options.AllowSpinning)
            {
                native.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                native.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            }

            var providers = options.ExecutionProviders;
            for (var i = 0; i < providers.Count; i++)
            {
                if (providers[i].Kind == ExecutionProviderKind.Cuda)
                {
                    AppendCuda(native, providers[i], availableProviders);
                }
                else if (i < providers.Count - 1)
                {
                    // ORT puts the CPU after every provider appended; listed before another one, it must be appended here.
                    native.AppendExecutionProvider_CPU(useArena: 1);
                }
            }

            return native;
        }
        catch
        {
            native.Dispose();
            throw;
        }
    }

    /// <summary>Whether the options ask for a provider other than the CPU.</summary>
    public static bool UsesDevice(EngineSessionOptions options)
    {
        foreach (var provider in options.ExecutionProviders)
        {
            if (provider.Kind != ExecutionProviderKind.Cpu)
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendCuda(SessionOptions native, ExecutionProviderConfig provider, IReadOnlyCollection<string> availableProviders)
    {
        if (!availableProviders.Contains(CudaProvider))
        {
            throw new EngineException(
                EngineErrorKind.ProviderUnavailable,
                "execution provider 'cuda' is not in this build of ONNX Runtime, which runs on the CPU only; " +
                "use a GPU build of Modelhost (dotnet publish -p:ModelhostGpu=true, see the README's \"Running on a GPU\") or list only cpu");
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = provider.DeviceId.ToString(CultureInfo.InvariantCulture),
        };
        if (provider.MemoryLimitBytes is { } limit)
        {
            settings["gpu_mem_limit"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (provider.ArenaExtendStrategy is { } strategy)
        {
            settings["arena_extend_strategy"] = strategy == "same_as_requested" ? "kSameAsRequested" : "kNextPowerOfTwo";
        }

        if (provider.CudnnConvAlgoSearch is { } search)
        {
            settings["cudnn_conv_algo_search"] = search.ToUpperInvariant();
        }

        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(settings);
            native.AppendExecutionProvider_CUDA(cuda);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            // Typically the CUDA provider's library cannot be loaded: libcudart, libcublas or libcudnn is not on the path.
            var (_, message) = OnnxRuntimeErrors.Split(ex.Message);
            throw new EngineException(
                EngineErrorKind.ProviderUnavailable,
                $"execution provider 'cuda' cannot be used on this machine: {OnnxRuntimeErrors.OneLine(message)} " +
                "(CUDA needs an NVIDIA GPU and its driver, and the CUDA 13 and cuDNN libraries on the library path)",
                ex);
        }
    }
}
