namespace Modelhost.Core;

/// <summary>What went wrong with an inference request, in terms a protocol layer maps to a status code.</summary>
public enum InferenceErrorKind
{
    /// <summary>The request itself is wrong: names, shapes, types or values (400).</summary>
    InvalidArgument,

    /// <summary>The model, version or label does not exist (404).</summary>
    NotFound,

    /// <summary>The model exists but is not ready to serve, e.g. it failed to load (503).</summary>
    Unavailable,

    /// <summary>The model's queue is full; the client should retry later (429).</summary>
    QueueFull,

    /// <summary>The request's deadline passed before it could run (504).</summary>
    DeadlineExceeded,

    /// <summary>The runtime failed while running a valid request (500).</summary>
    Internal,
}
