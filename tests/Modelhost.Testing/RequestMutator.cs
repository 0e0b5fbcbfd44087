using System.Text;
using System.Text.Json;

namespace Modelhost.Testing;

/// <summary>
/// Seeded mutations of a valid request or config, for tests that feed thousands of near-valid inputs and check that each
/// one is refused as bad input rather than a fault. JSON gets a value of the wrong kind or out of range, a member
/// dropped, renamed or repeated, a value wrapped in a container; YAML gets a value swapped, a line dropped, repeated or
/// shifted; anything gets bytes flipped, replaced, inserted, cut or cut short. The same seed gives the same sequence, so
/// a failure names the case that reproduces it.
/// </summary>
public sealed class RequestMutator(int seed)
{
    // Values a client gets wrong: each kind in place of another, numbers past every integer and float range, strings
    // that are not valid UTF-16 once unescaped, path tricks, nesting past the reader's depth limit.
    private static readonly string[] Values =
    [
        "0", "-1", "1", "1.5", "-0", "2", "4", "65", "1e39", "-1e39", "1e309", "-1e309", "0.1e-400", "NaN",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "123456789012345678901234567890", "\"\"", "\"x\"", "\"-1\"", "\"1\"", "\"FP32\"", "\"BYTES\"", "\"\\u0000\"",
        "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"../../etc/passwd\"", "\"/etc/passwd\"", "\"a b\"", "null", "true",
        "false", "[]", "{}", "[[]]", "[null]", "[1e39]", "[\"x\"]", "[-1]", "[0]", "[1,4]", "[4,1]", "[0,4]",
        "[9223372036854775807,4]", "[[1,2],[3]]", "{\"\":null}",
        new string('[', 300) + new string(']', 300),
        "\"" + new string('a', 20_000) + "\"",
        "[" + string.Join(",", Enumerable.Repeat("0", 5_000)) + "]",
    ];

    // The same, as YAML writes them, and YAML's own kinds: anchors, aliases, tags, block scalars, flow collections.
    private static readonly string[] YamlValues =
    [
        "0", "-1", "1", "1.5", "1e39", "-1e309", ".nan", ".inf", "9223372036854775808", "18446744073709551616", "''", "x",
        "\"\\ud800\"", "../../etc/passwd", "/etc/passwd", "null", "~", "true", "yes", "[]", "{}", "[1, 2]", "{a: 1}",
        "[[[[[[[[[[[[1]]]]]]]]]]]]", "&a 1", "*a", "!!binary AAAA", "!!str 1", "|", ">-", "[x, {y: [z]}]", "{a: {b: {c: {d: 1}}}}",
        new string('a', 5000),
    ];

    // Cells a data file gets wrong: empty, text among numbers, every float spelling .NET or Python writes, quotes.
    private static readonly string[] CsvValues =
    [
        "", " ", "x", "0", "-0", "1e309", "-1e309", "1e-400", "NaN", "nan", "inf", "-Infinity", "∞", "1,5", "1.5.5",
        "9223372036854775808", "\"", "\"a,b\"", "\"\"\"", "\"unclosed", "setosa", "Setosa", "\u0000", "\t1", "1\r",
        new string('9', 400),
    ];

    private static readonly string[] Names = ["\"\"", "\"x\"", "\"\\u0000\"", "\"__proto__\""];

    private static readonly byte[] Bytes = [0x00, 0x01, 0x7F, 0x80, 0xC3, 0xE2, 0xFF, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'-', (byte)'e', (byte)'.', (byte)'9'];

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of a JSON body, each of its structure while it still parses, or of its bytes.</summary>
    public byte[] MutateJson(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            body = _random.Next(3) != 0 && TryMutateStructure(body, out var mutated) ? mutated : MutateBytes(body);
        }

        return body;
    }

    /// <summary>
    /// One to three mutations of a YAML text, each of a line (a value swapped for an odd one, the line dropped, repeated
    /// or indented differently) or, one time in four, of its bytes.
    /// </summary>
    public string MutateYaml(string yaml)
    {
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            if (_random.Next(4) == 0)
            {
                yaml = Encoding.UTF8.GetString(MutateBytes(Encoding.UTF8.GetBytes(yaml)));
                continue;
            }

            var lines = new List<string>(yaml.Split('\n'));
            var at = _random.Next(lines.Count);
            var line = lines[at];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            switch (_random.Next(5))
            {
                case 0 or 1 when colon >= 0:
                    lines[at] = line[..(colon + 1)] + " " + Pick(YamlValues);
                    break;
                case 2:
                    lines.RemoveAt(at);
                    break;
                case 3:
                    lines.Insert(at, line);
                    break;
                default:
                    lines[at] = _random.Next(2) == 0 ? "  " + line : line.TrimStart();
                    break;
            }

            yaml = string.Join('\n', lines);
        }

        return yaml;
    }

    /// <summary>
    /// One to three mutations of a CSV text, each of a cell (swapped for an odd one, dropped, or one added), of a line
    /// (dropped or repeated) or, one time in four, of its bytes.
    /// </summary>
    public string MutateCsv(string csv)
    {
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            if (_random.Next(4) == 0)
            {
                csv = Encoding.UTF8.GetString(MutateBytes(Encoding.UTF8.GetBytes(csv)));
                continue;
            }

            var lines = new List<string>(csv.Split('\n'));
            var at = _random.Next(lines.Count);
            var cells = new List<string>(lines[at].Split(','));
            var cell = _random.Next(cells.Count);
            switch (_random.Next(5))
            {
                case 0 or 1:
                    cells[cell] = Pick(CsvValues);
                    lines[at] = string.Join(',', cells);
                    break;
                case 2:
                    cells.RemoveAt(cell);
                    lines[at] = string.Join(',', cells);
                    break;
                case 3:
                    cells.Insert(cell, Pick(CsvValues));
                    lines[at] = string.Join(',', cells);
                    break;
                default:
                    if (_random.Next(2) == 0)
                    {
                        lines.RemoveAt(at);
                    }
                    else
                    {
                        lines.Insert(at, lines[at]);
                    }

                    break;
            }

            csv = string.Join('\n', lines);
        }

        return csv;
    }

    /// <summary>One to three mutations of the bytes of <paramref name="body"/>.</summary>
    public byte[] MutateBytes(byte[] body, int count)
    {
        for (var i = 0; i < count; i++)
        {
            body = MutateBytes(body);
        }

        return body;
    }

    /// <summary>A random integer in [0, <paramref name="max"/>), from the same sequence.</summary>
    public int Next(int max) => _random.Next(max);

    /// <summary>One of <paramref name="choices"/>, from the same sequence.</summary>
    public T Pick<T>(IReadOnlyList<T> choices) => choices[_random.Next(choices.Count)];

    private byte[] MutateBytes(byte[] body)
    {
        if (body.Length == 0)
        {
            return [Pick(Bytes)];
        }

        var at = _random.Next(body.Length);
        switch (_random.Next(6))
        {
            case 0:
                var flipped = (byte[])body.Clone();
                flipped[at] ^= (byte)(1 << _random.Next(8));
                return flipped;
            case 1:
                var replaced = (byte[])body.Clone();
                replaced[at] = Pick(Bytes);
                return replaced;
            case 2:
                var inserted = new byte[1 + _random.Next(4)];
                for (var i = 0; i < inserted.Length; i++)
                {
                    inserted[i] = _random.Next(2) == 0 ? Pick(Bytes) : (byte)_random.Next(256);
                }

                return [.. body.AsSpan(0, at), .. inserted, .. body.AsSpan(at)];
            case 3:
                var cut = Math.Min(1 + _random.Next(16), body.Length - at);
                return [.. body.AsSpan(0, at), .. body.AsSpan(at + cut)];
            case 4:
                return body[..at];
            default:
                var length = Math.Min(1 + _random.Next(64), body.Length - at);
                return [.. body.AsSpan(0, at + length), .. body.AsSpan(at, length), .. body.AsSpan(at + length)];
        }
    }

    private bool TryMutateStructure(byte[] body, out byte[] mutated)
    {
        mutated = body;
        var members = Members(body);
        if (members is null || members.Count == 0)
        {
            return false;
        }

        var m = Pick(members);
        var text = Encoding.UTF8.GetString(body);

        // Offsets are in bytes; the text is only ever split where the bytes are ASCII (token boundaries).
        string Before(int offset) => Encoding.UTF8.GetString(body, 0, offset);
        string After(int offset) => Encoding.UTF8.GetString(body, offset, body.Length - offset);
        string Slice(int from, int to) => Encoding.UTF8.GetString(body, from, to - from);
        var isRoot = m.Start == 0 && m.End == body.Length;
        var result = _random.Next(6) switch
        {
            0 or 1 => Before(m.ValueStart) + Pick(Values) + After(m.End),
            2 when !isRoot => Remove(body, m),
            3 when m.Start != m.ValueStart => Before(m.Start) + Pick(Names) + ":" + After(m.ValueStart),
            4 when !isRoot => Before(m.End) + "," + Slice(m.Start, m.End) + After(m.End),
            5 => Before(m.ValueStart) + (_random.Next(2) == 0 ? "[" + Slice(m.ValueStart, m.End) + "]" : "{\"v\":" + Slice(m.ValueStart, m.End) + "}") + After(m.End),
            _ => null,
        };
        if (result is null || result == text)
        {
            return false;
        }

        mutated = Encoding.UTF8.GetBytes(result);
        return true;
    }

    /// <summary>The body without the member or element, and without the comma that separated it from a neighbour.</summary>
    private static string Remove(byte[] body, Member m)
    {
        var start = m.Start;
        var end = m.End;
        var next = end;
        while (next < body.Length && body[next] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            next++;
        }

        if (next < body.Length && body[next] == (byte)',')
        {
            end = next + 1;
        }
        else
        {
            var previous = start - 1;
            while (previous >= 0 && body[previous] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                previous--;
            }

            if (previous >= 0 && body[previous] == (byte)',')
            {
                start = previous;
            }
        }

        return Encoding.UTF8.GetString(body, 0, start) + Encoding.UTF8.GetString(body, end, body.Length - end);
    }

    /// <summary>Every value in the document with where its member name (if any) begins; null when it does not parse.</summary>
    private static List<Member>? Members(byte[] body)
    {
        var members = new List<Member>();
        var open = new Stack<(int Start, int ValueStart)>();
        var name = -1;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            while (reader.Read())
            {
                var at = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = at;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push((name >= 0 ? name : at, at));
                        name = -1;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var (start, valueStart) = open.Pop();
                        members.Add(new Member(start, valueStart, (int)reader.BytesConsumed));
                        break;
                    default:
                        members.Add(new Member(name >= 0 ? name : at, at, (int)reader.BytesConsumed));
                        name = -1;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return members;
    }

    private readonly record struct Member(int Start, int ValueStart, int End);
}
