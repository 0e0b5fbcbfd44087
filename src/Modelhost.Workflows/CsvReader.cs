using System.Text;

namespace Modelhost.Workflows;

/// <summary>Reads RFC 4180 CSV records (quoted fields, doubled quotes, line breaks inside quotes), one record at a time.</summary>
internal sealed class CsvReader : IDisposable
{
    private const int MaxFieldLength = 1 << 20;

    private readonly TextReader _reader;
    private readonly StringBuilder _field = new();
    private long _nextLine = 1;

    public CsvReader(TextReader reader)
    {
        _reader = reader;
    }

    /// <summary>The line the last record started on, from 1.</summary>
    public long Line { get; private set; }

    /// <summary>The next record's fields, or null at the end; blank lines are skipped.</summary>
    public List<string>? Read()
    {
        while (true)
        {
            if (_reader.Peek() < 0)
            {
                return null;
            }

            Line = _nextLine;
            var fields = new List<string>();
            var quoted = false;
            var wasQuoted = false;
            _field.Clear();
            while (true)
            {
                var c = _reader.Read();
                if (c < 0)
                {
                    if (quoted)
                    {
                        throw new FormatException($"line {Line}: a quoted field is not closed");
                    }

                    fields.Add(_field.ToString());
                    break;
                }

                if (quoted)
                {
                    if (c == '"')
                    {
                        if (_reader.Peek() == '"')
                        {
                            _reader.Read();
                            _field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            _nextLine++;
                        }

                        _field.Append((char)c);
                    }
                }
                else if (c == '"' && _field.Length == 0 && !wasQuoted)
                {
                    quoted = true;
                    wasQuoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(_field.ToString());
                    _field.Clear();
                    wasQuoted = false;
                }
                else if (c == '\r' && _reader.Peek() == '\n')
                {
                    continue;
                }
                else if (c == '\n')
                {
                    _nextLine++;
                    fields.Add(_field.ToString());
                    break;
                }
                else
                {
                    _field.Append((char)c);
                }

                if (_field.Length > MaxFieldLength)
                {
                    throw new FormatException($"line {Line}: a field is longer than {MaxFieldLength} characters");
                }
            }

            if (fields.Count == 1 && fields[0].Length == 0 && !wasQuoted)
            {
                continue;
            }

            return fields;
        }
    }

    public void Dispose() => _reader.Dispose();
}
