namespace Modelhost.Server.Security;

/// <summary>What an API key may do. Each role includes every role before it.</summary>
public enum Role
{
    /// <summary>Inference and metadata on every protocol, model statistics and reading forecasts.</summary>
    Infer = 1,

    /// <summary>Submitting, cancelling and retrying jobs, reading their logs, the per-country pipeline.</summary>
    Train = 2,

    /// <summary>Repository load, unload and index, data import, reading the server's settings.</summary>
    Manage = 3,

    /// <summary>Everything, including requests that carry SQL text.</summary>
    Admin = 4,
}
