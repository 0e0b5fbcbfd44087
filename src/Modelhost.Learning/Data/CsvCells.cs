namespace Modelhost.Learning.Data;

/// <summary>What the CSV loaders (tabular and series) say about one cell: missing or not, and the error naming it.</summary>
internal static class CsvCells
{
    /// <summary>The spellings of a missing value that pandas and R write, beside an empty cell.</summary>
    public static readonly string[] MissingTokens = ["NA", "N/A", "NaN", "null", "None", "?", "#N/A", "-NaN"];

    /// <summary>Whether <paramref name="field"/> is empty or one of <paramref name="tokens"/> (any case, spaces trimmed).</summary>
    public static bool IsMissing(ReadOnlySpan<char> field, ReadOnlySpan<string> tokens)
    {
        var trimmed = field.Trim();
        if (trimmed.IsEmpty)
        {
            return true;
        }

        foreach (var token in tokens)
        {
            if (trimmed.Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An error naming the data row, the file line and the column; never the cell's value, which may be private data.</summary>
    public static DatasetFormatException Error(CsvRecordReader csv, long row, string column, string problem) =>
        new($"Row {row} (line {csv.RecordLine}), column '{column}': {problem}.", csv.RecordLine, row, column);
}
