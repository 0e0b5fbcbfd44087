using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Json;

/// <summary>
/// One <see cref="Utf8JsonWriter"/> and one growable buffer per thread. A response is written whole into the
/// buffer and then copied to the body with its Content-Length, so a response costs no writer or buffer
/// allocation, needs no chunked encoding, and a failure half-way leaves nothing on the wire.
/// A handler rents and returns without awaiting in between.
/// </summary>
internal static class JsonWriterCache
{
    // A thread keeps its buffer for the next response unless one response made it this large.
    private const int MaxRetainedBytes = 256 * 1024;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static Utf8JsonWriter Rent()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer;
        if (writer is null)
        {
            return new Utf8JsonWriter(buffer);
        }

        t_writer = null;
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>Sends what was written as the response body, with its length.</summary>
    public static void WriteTo(Utf8JsonWriter writer, HttpResponse response)
    {
        writer.Flush();
        var written = t_buffer!.WrittenSpan;
        response.ContentLength = written.Length;
        response.BodyWriter.Write(written);
    }

    /// <summary>Keeps the writer and the buffer for the next response on this thread.</summary>
    public static void Return(Utf8JsonWriter writer)
    {
        writer.Reset();
        if (t_buffer is { } buffer)
        {
            if (buffer.Capacity > MaxRetainedBytes)
            {
                t_buffer = null;
            }
            else
            {
                buffer.ResetWrittenCount();
            }
        }

        t_writer = writer;
    }
}
