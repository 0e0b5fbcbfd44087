namespace Modelhost.Core.Engine;

/// <summary>A loaded model, ready to run. <see cref="Run"/> is thread-safe; one session serves concurrent requests.</summary>
public interface IEngineSession : IDisposable
{
    /// <summary>The model's inputs, in the model's order.</summary>
    IReadOnlyList<NodeInfo> Inputs { get; }

    /// <summary>The model's outputs, in the model's order.</summary>
    IReadOnlyList<NodeInfo> Outputs { get; }

    /// <summary>Runs the model. Safe to call from several threads at once, but not once <see cref="IDisposable.Dispose"/> has begun.</summary>
    /// <param name="inputNames">The names of the inputs being fed, matching <paramref name="inputs"/> one to one.</param>
    /// <param name="inputs">The input tensors, made by this session's engine; they must stay undisposed until the call returns.</param>
    /// <param name="outputNames">The names of the outputs wanted, in the order they are returned.</param>
    /// <param name="cancellationToken">Cancelling it stops the run at the engine's next check between operators.</param>
    /// <returns>One value per name in <paramref name="outputNames"/>; the caller owns and must dispose each.</returns>
    /// <exception cref="ArgumentException">The names and inputs differ in number, or an input is null or not this engine's.</exception>
    /// <exception cref="EngineException">The engine rejected the request (an unknown name, a wrong shape or type) or failed running it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The session or an input has been disposed.</exception>
    EngineValue[] Run(string[] inputNames, EngineValue[] inputs, string[] outputNames, CancellationToken cancellationToken = default);
}
