namespace Modelhost.Server.Logging;

/// <summary>How the server writes its log to the console (<c>--log-format</c>, <c>log_format</c>).</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry (the default).</summary>
    Console,

    /// <summary>One JSON object per line, with the request and trace ids.</summary>
    Json,
}
