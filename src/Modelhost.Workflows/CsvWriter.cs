using System.Globalization;

namespace Modelhost.Workflows;

/// <summary>Writes RFC 4180 CSV: fields with a comma, quote or line break are quoted, numbers in invariant form.</summary>
internal static class CsvWriter
{
    public static async Task WriteRecordAsync(TextWriter writer, IReadOnlyList<object?> values, CancellationToken cancellationToken)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                await writer.WriteAsync(',');
            }

            await writer.WriteAsync(Escape(Format(values[i])).AsMemory(), cancellationToken);
        }

        await writer.WriteAsync("\n".AsMemory(), cancellationToken);
    }

    public static string Format(object? value) => value switch
    {
        null => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
