namespace Modelhost.Core.Configuration;

/// <summary>
/// A <c>model.yaml</c> is invalid. The message names the file, the line and the key, e.g.
/// <c>models/iris/model.yaml:4: dynamic_batching.max_queue_delay_us: expected a non-negative integer, got 'abc'</c>.
/// </summary>
internal sealed class ModelConfigException : Exception
{
    internal ModelConfigException(string message, string filePath, int? line, string? key, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
        Key = key;
    }

    /// <summary>The config file, as it was named to the loader.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of the problem, or <see langword="null"/> when it concerns the whole file (e.g. it is too large).</summary>
    public int? Line { get; }

    /// <summary>
    /// The dotted path of the offending key, e.g. <c>dynamic_batching.max_queue_delay_us</c> or <c>features[2]</c>,
    /// or <see langword="null"/> when the problem is not about one key (e.g. a YAML syntax error).
    /// </summary>
    public string? Key { get; }
}
