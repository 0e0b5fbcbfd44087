using System.Buffers;
using System.Text.Json;

namespace Modelhost.Server.Json;

/// <summary>
/// One <see cref="Utf8JsonWriter"/> per thread, reset onto each response's pipe, so that writing a response
/// allocates no writer. A handler rents and returns it without awaiting in between.
/// </summary>
internal static class JsonWriterCache
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        if (writer is null)
        {
            return new Utf8JsonWriter(output);
        }

        t_writer = null;
        writer.Reset(output);
        return writer;
    }

    /// <summary>Flushes what was written to the output and keeps the writer for the next response on this thread.</summary>
    public static void Return(Utf8JsonWriter writer)
    {
        writer.Flush();
        writer.Reset();
        t_writer = writer;
    }
}
