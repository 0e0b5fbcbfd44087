namespace Modelhost.Core.Inference;

/// <summary>Where a run spent its time, in <see cref="TimeProvider"/> timestamp ticks, summed over the run's parts.</summary>
internal struct RunTimings
{
    /// <summary>Making the engine's inputs (wrapping or concatenating tensors).</summary>
    public long Input;

    /// <summary>The engine's own run.</summary>
    public long Infer;

    /// <summary>Splitting and selecting the outputs.</summary>
    public long Output;

    public readonly long Total => Input + Infer + Output;
}
