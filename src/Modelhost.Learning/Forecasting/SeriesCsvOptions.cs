namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Settings and limits for <see cref="SeriesCsv"/>. The limits keep an uploaded file from exhausting memory: every
/// observation is held in memory until the series are built.
/// </summary>
public sealed record SeriesCsvOptions
{
    /// <summary>The default limits and a comma delimiter.</summary>
    public static SeriesCsvOptions Default { get; } = new();

    /// <summary>The field delimiter; a comma by default. It may not be a quote, CR or LF.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>The largest file accepted, in bytes (characters when reading a <see cref="TextReader"/>); 256 MiB by default.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>The most data rows (records after the header) accepted, over all series; 5,000,000 by default.</summary>
    public int MaxRows { get; init; } = 5_000_000;

    /// <summary>The most distinct series keys accepted in a long-format file; 100,000 by default.</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>The longest series key accepted, in characters; 200 by default.</summary>
    public int MaxKeyLength { get; init; } = 200;

    /// <summary>Checks that the settings are usable.</summary>
    /// <exception cref="ArgumentException">A limit is not positive, or the delimiter is a quote or a line break.</exception>
    internal void Validate()
    {
        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The CSV delimiter cannot be {(Delimiter == '"' ? "a quote" : "a line break")}.", nameof(Delimiter));
        }

        if (MaxFileBytes <= 0 || MaxRows <= 0 || MaxSeries <= 0 || MaxKeyLength <= 0)
        {
            throw new ArgumentException("MaxFileBytes, MaxRows, MaxSeries and MaxKeyLength must be positive.");
        }
    }
}
