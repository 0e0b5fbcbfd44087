using System.Buffers.Text;
using System.Text;

namespace Modelhost.Bench.Load;

/// <summary>
/// Parses HTTP/1.1 responses from bytes as they arrive, in pieces of any size, and skips their bodies:
/// Content-Length, chunked, or up to the end of the connection. Nothing is allocated per response.
/// </summary>
internal sealed class ResponseParser
{
    private const int MaxLine = 64 * 1024;

    private readonly byte[] _line = new byte[MaxLine];
    private int _lineLength;
    private State _state = State.Head;
    private long _remaining;
    private int _status;
    private bool _close;

    private enum State
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        Trailer,
        ToEnd,
    }

    /// <summary>The status of the last complete response.</summary>
    public int Status { get; private set; }

    /// <summary>False if the server will close the connection after the last complete response.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>Forgets any partial response, for a new connection.</summary>
    public void Reset()
    {
        _state = State.Head;
        _lineLength = 0;
    }

    /// <summary>
    /// Consumes bytes up to the end of the current response. Returns how many were used; when a response completed
    /// with them, <paramref name="complete"/> is true and <see cref="Status"/> and <see cref="KeepAlive"/> describe it.
    /// </summary>
    /// <exception cref="InvalidDataException">The response is not HTTP/1.x as expected.</exception>
    public int Feed(ReadOnlySpan<byte> data, out bool complete)
    {
        complete = false;
        var used = 0;
        while (used < data.Length && !complete)
        {
            var rest = data[used..];
            switch (_state)
            {
                case State.Head:
                    used += TakeUntil(rest, "\r\n\r\n"u8, out var headDone);
                    if (headDone)
                    {
                        complete = ParseHead(_line.AsSpan(0, _lineLength - 4));
                        _lineLength = 0;
                    }

                    break;
                case State.Body:
                case State.ChunkData:
                    var take = (int)Math.Min(_remaining, rest.Length);
                    used += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        if (_state == State.Body)
                        {
                            complete = Finish();
                        }
                        else
                        {
                            _state = State.ChunkSize;
                        }
                    }

                    break;
                case State.ChunkSize:
                    used += TakeUntil(rest, "\r\n"u8, out var sizeDone);
                    if (sizeDone)
                    {
                        var size = ParseChunkSize(_line.AsSpan(0, _lineLength - 2));
                        _lineLength = 0;
                        if (size == 0)
                        {
                            _state = State.Trailer;
                        }
                        else
                        {
                            _remaining = size + 2;
                            _state = State.ChunkData;
                        }
                    }

                    break;
                case State.Trailer:
                    used += TakeUntil(rest, "\r\n"u8, out var trailerDone);
                    if (trailerDone)
                    {
                        var empty = _lineLength == 2;
                        _lineLength = 0;
                        if (empty)
                        {
                            complete = Finish();
                        }
                    }

                    break;
                case State.ToEnd:
                    used = data.Length;
                    break;
            }
        }

        return used;
    }

    /// <summary>
    /// The server closed the connection. Returns true if that ended a response that runs to the end of the
    /// connection; false if nothing was pending.
    /// </summary>
    /// <exception cref="EndOfStreamException">The connection closed in the middle of a response.</exception>
    public bool EndOfStream()
    {
        if (_state == State.ToEnd)
        {
            Finish();
            KeepAlive = false;
            return true;
        }

        if (_state != State.Head || _lineLength != 0)
        {
            throw new EndOfStreamException("the server closed the connection mid-response");
        }

        return false;
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

    private static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        if (semicolon >= 0)
        {
            line = line[..semicolon];
        }

        line = line[Ascii.Trim(line)];
        if (!Utf8Parser.TryParse(line, out long size, out var consumed, 'X') || consumed != line.Length || size < 0)
        {
            throw new InvalidDataException("a chunk size that is not hexadecimal");
        }

        return size;
    }

    /// <summary>Copies bytes into the line buffer up to and including <paramref name="marker"/>.</summary>
    private int TakeUntil(ReadOnlySpan<byte> data, ReadOnlySpan<byte> marker, out bool found)
    {
        // The marker may straddle two pieces, so search from a little before the new bytes.
        var searchFrom = Math.Max(0, _lineLength - (marker.Length - 1));
        var room = MaxLine - _lineLength;
        var take = Math.Min(room, data.Length);
        data[..take].CopyTo(_line.AsSpan(_lineLength));
        var index = _line.AsSpan(searchFrom, _lineLength + take - searchFrom).IndexOf(marker);
        if (index < 0)
        {
            if (take == room)
            {
                throw new InvalidDataException($"a header or chunk line longer than {MaxLine} bytes");
            }

            _lineLength += take;
            found = false;
            return take;
        }

        var end = searchFrom + index + marker.Length;
        var used = end - _lineLength;
        _lineLength = end;
        found = true;
        return used;
    }

    /// <summary>Reads the status line and headers; returns true if the response has no body.</summary>
    private bool ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];

        // "HTTP/1.1 200 OK"
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException($"not an HTTP/1.x status line: '{Encoding.ASCII.GetString(statusLine)}'");
        }

        _status = status;
        _close = statusLine[7] == (byte)'0';
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
                if (!Utf8Parser.TryParse(value, out contentLength, out var consumed) || consumed != value.Length || contentLength < 0)
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
                    _close = true;
                }
                else if (Contains(value, "keep-alive"u8))
                {
                    _close = false;
                }
            }
        }

        if (status is (>= 100 and < 200) or 204 or 304 || (!chunked && contentLength == 0))
        {
            return Finish();
        }

        if (chunked)
        {
            _state = State.ChunkSize;
        }
        else if (contentLength > 0)
        {
            _remaining = contentLength;
            _state = State.Body;
        }
        else
        {
            _state = State.ToEnd;
            _close = true;
        }

        return false;
    }

    private bool Finish()
    {
        Status = _status;
        KeepAlive = !_close;
        _state = State.Head;
        return true;
    }
}
