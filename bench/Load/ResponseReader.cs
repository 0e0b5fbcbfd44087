using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Modelhost.Bench.Load;

/// <summary>
/// Reads HTTP/1.1 responses off a blocking socket and skips their bodies: Content-Length, chunked, or up to the end
/// of the connection. Nothing is allocated per response.
/// </summary>
internal sealed class ResponseReader
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Forgets any buffered bytes, for a new connection.</summary>
    public void Reset()
    {
        _start = 0;
        _end = 0;
    }

    /// <summary>Reads one whole response.</summary>
    /// <param name="socket">The connection.</param>
    /// <param name="keepAlive">False if the server will close the connection after this response.</param>
    /// <returns>The status code.</returns>
    /// <exception cref="SocketException">The socket failed or timed out.</exception>
    /// <exception cref="EndOfStreamException">The server closed the connection mid-response.</exception>
    /// <exception cref="InvalidDataException">The response is not HTTP/1.x as expected.</exception>
    public int Read(Socket socket, out bool keepAlive)
    {
        var headerLength = FindInBuffer(socket, "\r\n\r\n"u8);
        var head = _buffer.AsSpan(_start, headerLength);
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];

        // "HTTP/1.1 200 OK"
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException($"not an HTTP/1.x status line: '{Encoding.ASCII.GetString(statusLine)}'");
        }

        var close = statusLine[7] == (byte)'0';
        long contentLength = -1;
        var chunked = false;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..];
            value = value[Ascii.Trim(value)];
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out _))
                {
                    throw new InvalidDataException("a Content-Length that is not a number");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Contains(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (Contains(value, "close"u8))
                {
                    close = true;
                }
                else if (Contains(value, "keep-alive"u8))
                {
                    close = false;
                }
            }
        }

        _start += headerLength + 4;
        if (status is (>= 100 and < 200) or 204 or 304)
        {
            // No body.
        }
        else if (chunked)
        {
            SkipChunked(socket);
        }
        else if (contentLength >= 0)
        {
            Skip(socket, contentLength);
        }
        else
        {
            SkipToEnd(socket);
            close = true;
        }

        keepAlive = !close;
        return status;
    }

    private static bool Contains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        for (var i = 0; i + token.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, token.Length), token))
            {
                return true;
            }
        }

        return false;
    }

    private void SkipChunked(Socket socket)
    {
        while (true)
        {
            var lineLength = FindInBuffer(socket, "\r\n"u8);
            var line = _buffer.AsSpan(_start, lineLength);
            var semicolon = line.IndexOf((byte)';');
            if (semicolon >= 0)
            {
                line = line[..semicolon];
            }

            line = line[Ascii.Trim(line)];
            if (!Utf8Parser.TryParse(line, out long size, out var consumed, 'X') || consumed != line.Length)
            {
                throw new InvalidDataException("a chunk size that is not hexadecimal");
            }

            _start += lineLength + 2;
            if (size == 0)
            {
                // Trailers, if any, up to an empty line.
                while (true)
                {
                    var trailer = FindInBuffer(socket, "\r\n"u8);
                    _start += trailer + 2;
                    if (trailer == 0)
                    {
                        return;
                    }
                }
            }

            Skip(socket, size + 2);
        }
    }

    private void Skip(Socket socket, long count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                Fill(socket);
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private void SkipToEnd(Socket socket)
    {
        _start = _end = 0;
        while (socket.Receive(_buffer) > 0)
        {
        }
    }

    /// <summary>Buffers until <paramref name="marker"/> appears; returns its offset from the first unread byte.</summary>
    private int FindInBuffer(Socket socket, ReadOnlySpan<byte> marker)
    {
        while (true)
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
            if (index >= 0)
            {
                return index;
            }

            Fill(socket);
        }
    }

    private void Fill(Socket socket)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new InvalidDataException($"a header or chunk line longer than {_buffer.Length} bytes");
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }

        _end += read;
    }
}
