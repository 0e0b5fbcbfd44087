namespace Modelhost.Core.Models;

/// <summary>A hold on a loaded model version for the length of one request. Dispose it when the response is written.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(LoadedModel model)
    {
        Model = model;
    }

    /// <summary>The model version this lease holds.</summary>
    public LoadedModel Model { get; }

    /// <summary>Releases the hold; a version waiting to unload is released with its last lease.</summary>
    public void Dispose() => Model?.Release();
}
