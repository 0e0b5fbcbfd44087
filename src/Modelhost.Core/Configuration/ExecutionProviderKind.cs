namespace Modelhost.Core.Configuration;

/// <summary>Where a model's graph runs: an entry of <c>session.execution_providers</c>.</summary>
public enum ExecutionProviderKind
{
    /// <summary>The CPU (<c>cpu</c>), which also takes every node the other providers cannot run.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA (<c>cuda</c>); needs the GPU build of Modelhost, the CUDA 13 and cuDNN libraries.</summary>
    Cuda,
}
