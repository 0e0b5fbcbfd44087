using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Modelhost.Learning.Metrics;

/// <summary>Metrics of a model on a test set, written as the <c>metrics.json</c> that accompanies a trained model.</summary>
public abstract class MetricsReport
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private protected MetricsReport(int testRows)
    {
        TestRows = testRows;
    }

    /// <summary>The number of test rows the metrics were computed on.</summary>
    public int TestRows { get; }

    /// <summary>The report as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        WriteJson(stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the report as indented UTF-8 JSON.</summary>
    /// <param name="stream">The destination; left open.</param>
    public void WriteJson(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        writer.WriteStartObject();
        WriteProperties(writer);
        writer.WriteNumber("test_rows", TestRows);
        writer.WriteEndObject();
    }

    /// <summary>Writes the report to a file (conventionally <c>metrics.json</c>), replacing it.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var buffer = new MemoryStream();
        WriteJson(buffer);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
        }
    }

    private protected abstract void WriteProperties(Utf8JsonWriter writer);
}
