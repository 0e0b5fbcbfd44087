namespace Modelhost.Learning.Data;

/// <summary>
/// A dataset could not be read: malformed CSV, a missing or non-numeric value, a ragged row, a missing or unusable
/// target column, or a limit exceeded. The message names the row, line and column where they are known.
/// </summary>
public sealed class DatasetFormatException : FormatException
{
    /// <summary>Creates an exception with no location.</summary>
    public DatasetFormatException()
    {
    }

    /// <summary>Creates an exception with a message and no location.</summary>
    /// <param name="message">What is wrong.</param>
    public DatasetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping another.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception at a location in the file.</summary>
    /// <param name="message">The full message, which already names the location.</param>
    /// <param name="line">The 1-based line where the record starts, or null.</param>
    /// <param name="row">The 1-based data row (the header is not counted), or null.</param>
    /// <param name="column">The column's name, or null.</param>
    public DatasetFormatException(string message, long? line, long? row, string? column)
        : base(message)
    {
        Line = line;
        Row = row;
        Column = column;
    }

    /// <summary>The 1-based line of the file where the offending record starts, when known.</summary>
    public long? Line { get; }

    /// <summary>The 1-based data row (the header is row 0 and not counted), when known.</summary>
    public long? Row { get; }

    /// <summary>The name of the offending column, when known.</summary>
    public string? Column { get; }
}
