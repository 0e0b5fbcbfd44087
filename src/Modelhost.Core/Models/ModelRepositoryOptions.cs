using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;

namespace Modelhost.Core.Models;

/// <summary>Where the repository is and how models in it are loaded.</summary>
public sealed class ModelRepositoryOptions
{
    /// <summary>The repository's root directory.</summary>
    public string Root { get; set; } = "models";

    /// <summary>
    /// The name to serve <see cref="Root"/> under when it is one model rather than a repository (KServe's
    /// <c>/mnt/models</c>: <c>model.onnx</c> directly in it, or version directories); null to read it as a repository.
    /// </summary>
    public string? SingleModelName { get; set; }

    /// <summary>How often to look for new, changed and removed versions; null or zero to load once at startup.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>The largest model file that will be read.</summary>
    public long MaxModelBytes { get; set; } = 2L * 1024 * 1024 * 1024 - 1;

    /// <summary>The engine that loads and runs the models; ONNX Runtime.</summary>
    public IInferenceEngine Engine { get; set; } = OnnxRuntimeEngine.Instance;

    /// <summary>Intra-op threads for models whose config doesn't say; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Inter-op threads for models whose config doesn't say; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>The graph optimization level for models whose config doesn't say.</summary>
    public OptimizationLevel OptimizationLevel { get; set; } = OptimizationLevel.All;

    /// <summary>Whether ONNX Runtime's threads spin while idle: faster under load, but an idle server burns CPU.</summary>
    public bool AllowSpinning { get; set; }

    /// <summary>The execution providers for models whose config doesn't say (<c>session.execution_providers</c>); the CPU alone by default.</summary>
    public IReadOnlyList<ExecutionProviderConfig> ExecutionProviders { get; set; } = [ExecutionProviderConfig.Cpu];
}
