namespace Modelhost.Learning.Data;

/// <summary>
/// Settings and limits for <see cref="TabularDataset.LoadCsv(string, string, TargetKind, CsvLoadOptions?, CancellationToken)"/>.
/// The limits keep an uploaded file from exhausting memory: the whole feature matrix is held in memory.
/// </summary>
public sealed record CsvLoadOptions
{
    /// <summary>The default limits and a comma delimiter.</summary>
    public static CsvLoadOptions Default { get; } = new();

    /// <summary>The field delimiter; a comma by default. It may not be a quote, CR or LF.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>The most data rows (records after the header) accepted; 10,000,000 by default.</summary>
    public int MaxRows { get; init; } = 10_000_000;

    /// <summary>The most columns (features plus the target) accepted; 10,000 by default.</summary>
    public int MaxColumns { get; init; } = 10_000;

    /// <summary>The largest file accepted, in bytes (characters when reading a <see cref="TextReader"/>); 1 GiB by default.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Checks that the settings are usable.</summary>
    /// <exception cref="ArgumentException">A limit is not positive or the delimiter is a quote or a line break.</exception>
    internal void Validate()
    {
        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The CSV delimiter cannot be {(Delimiter == '"' ? "a quote" : "a line break")}.", nameof(Delimiter));
        }

        if (MaxRows <= 0 || MaxColumns <= 1 || MaxFileBytes <= 0)
        {
            throw new ArgumentException("MaxRows and MaxFileBytes must be positive and MaxColumns at least 2 (a feature and the target).");
        }
    }
}
