namespace Modelhost.Core.Telemetry;

/// <summary>The <c>reason</c> label of <c>nv_inference_request_failure</c>: Triton's four values, as tags made once.</summary>
internal static class FailureReasons
{
    /// <summary>Refused before running: a full queue or an invalid request.</summary>
    public static readonly KeyValuePair<string, object?> Rejected = new("reason", "REJECTED");

    /// <summary>The caller went away or cancelled while the request waited.</summary>
    public static readonly KeyValuePair<string, object?> Canceled = new("reason", "CANCELED");

    /// <summary>The engine failed while running a valid request.</summary>
    public static readonly KeyValuePair<string, object?> Backend = new("reason", "BACKEND");

    /// <summary>Anything else: a passed deadline, a version shutting down.</summary>
    public static readonly KeyValuePair<string, object?> Other = new("reason", "OTHER");
}
