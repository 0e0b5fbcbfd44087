using System.Text.Json;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Tensors;
using Modelhost.Server.Endpoints;

namespace Modelhost.Server.Json;

/// <summary>
/// Parses a KServe V2 inference request with <see cref="Utf8JsonReader"/>. Each input's <c>data</c> is read
/// only after its object ends, because the spec lets <c>data</c> come before <c>shape</c> and <c>datatype</c>.
/// </summary>
internal static class V2RequestParser
{
    private const int MaxInputs = 256;
    private const int MaxRank = 16;
    private const int MaxDepth = 64;

    // The fast path for FP32 data arrays: nesting it reads (inputs sit at depth 3), and the most bytes between a
    // "data" key and its '[' (the colon and white space) that it handles.
    private const int MaxDataDepth = MaxDepth - 4;
    private const int MaxGap = 64;

    /// <summary>Parses a JSON request; binary outputs are refused because the caller can't send them.</summary>
    public static InferenceRequest Parse(ReadOnlySpan<byte> body) => Parse(body, body.Length, out _);

    /// <summary>
    /// Parses a request whose first <paramref name="headerLength"/> bytes are the JSON header and the rest the
    /// binary data of the inputs that carry <c>binary_data_size</c> (the V2 binary tensor extension).
    /// </summary>
    public static InferenceRequest Parse(ReadOnlySpan<byte> body, int headerLength, out V2OutputFormat format)
    {
        format = new V2OutputFormat();
        if (headerLength < 0 || headerLength > body.Length)
        {
            throw Invalid($"Inference-Header-Content-Length is {headerLength}, but the body holds {body.Length} bytes");
        }

        var json = body[..headerLength];
        var binary = body[headerLength..];
        var binaryOffset = 0;
        var readerOffset = 0;
        var request = new InferenceRequest();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("the request body must be a JSON object with an 'inputs' array");
            }

            var sawInputs = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("inputs"u8))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.StartArray, "'inputs' must be an array");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (request.Inputs.Count == MaxInputs)
                        {
                            throw Invalid($"a request may carry at most {MaxInputs} inputs");
                        }

                        request.Inputs.Add(ReadInput(ref reader, ref readerOffset, json, binary, ref binaryOffset, request.Inputs.Count));
                    }

                    sawInputs = true;
                }
                else if (reader.ValueTextEquals("outputs"u8))
                {
                    reader.Read();
                    request.RequestedOutputs = ReadOutputs(ref reader, format).ToArray();
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.String, "'id' must be a string");
                    request.Id = reader.GetString();
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    ReadParameters(ref reader, request, format);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (!sawInputs)
            {
                throw Invalid("the request has no 'inputs' array");
            }

            if (binaryOffset != binary.Length)
            {
                throw Invalid($"the body holds {binary.Length} bytes of binary data, but the inputs' binary_data_size add up to {binaryOffset}");
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads one element of <c>inputs</c>, from the reader on its first token. The reader may be replaced by one over
    /// the rest of <paramref name="body"/>; <paramref name="readerOffset"/> is where in the body its span starts.
    /// </summary>
    private static InputTensor ReadInput(ref Utf8JsonReader reader, ref int readerOffset, ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, ref int binaryOffset, int position)
    {
        InputTensor? read = null;
        try
        {
            var input = ReadInputCore(ref reader, ref readerOffset, body, binary, ref binaryOffset, position, ref read);
            read = null;
            return input;
        }
        finally
        {
            // Data read in the first pass but then not used (an error, or keys that changed its meaning).
            read?.Dispose();
        }
    }

    private static InputTensor ReadInputCore(ref Utf8JsonReader reader, ref int readerOffset, ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, ref int binaryOffset, int position, ref InputTensor? read)
    {
        long binarySize = -1;
        Expect(ref reader, JsonTokenType.StartObject, "each element of 'inputs' must be an object");
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        var dataStart = -1;
        var dataEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.String, $"inputs[{position}].name must be a string");
                name = reader.GetString();
                Discard(ref read);
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.String, $"inputs[{position}].datatype must be a string");
                datatype = reader.GetString();
                Discard(ref read);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                shape = ReadShape(ref reader, position);
                Discard(ref read);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                var atName = reader.CurrentState;
                var afterName = readerOffset + (int)reader.BytesConsumed;
                reader.Read();
                Discard(ref read);
                dataStart = readerOffset + (int)reader.TokenStartIndex;
                if (!string.IsNullOrEmpty(name) && shape is not null && datatype is not null && TensorDataTypes.TryParse(datatype, out var known))
                {
                    // The usual order (name, datatype and shape first): read the values in this one pass. The span is
                    // kept too, for the rare request whose later keys change what the data means.
                    if (known == TensorElementType.Float && reader.TokenType == JsonTokenType.StartArray
                        && dataStart - afterName <= MaxGap
                        && TensorJsonReader.TryReadFloatArray(body, dataStart, name, shape, MaxDataDepth, out var end) is { } floats)
                    {
                        read = floats;
                        if (!TrySkipTo(ref reader, ref readerOffset, body, atName, body[afterName..(dataStart + 1)], end))
                        {
                            Discard(ref read);
                        }
                    }

                    read ??= TensorJsonReader.ReadWithShape(ref reader, name, known, shape);
                }
                else
                {
                    reader.Skip();
                }

                dataEnd = readerOffset + (int)reader.BytesConsumed;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, $"inputs[{position}].parameters must be an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("binary_data_size"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out binarySize) || binarySize < 0)
                        {
                            throw Invalid($"inputs[{position}].parameters.binary_data_size must be a non-negative integer");
                        }

                        continue;
                    }

                    reader.Read();
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw Invalid($"inputs[{position}] has no 'name'");
        }

        if (datatype is null)
        {
            throw Invalid($"input '{name}' has no 'datatype'");
        }

        if (!TensorDataTypes.TryParse(datatype, out var type))
        {
            throw Invalid($"input '{name}' has unknown datatype '{datatype}'; use one of {TensorDataTypes.KnownNames}");
        }

        if (shape is null)
        {
            throw Invalid($"input '{name}' has no 'shape'");
        }

        if (binarySize >= 0)
        {
            if (dataStart >= 0)
            {
                throw Invalid($"input '{name}' has both 'data' and binary_data_size; send one");
            }

            if (binarySize > binary.Length - binaryOffset)
            {
                throw Invalid($"input '{name}' has binary_data_size {binarySize}, but only {binary.Length - binaryOffset} bytes of binary data are left in the body");
            }

            var bytes = binary.Slice(binaryOffset, (int)binarySize);
            binaryOffset += (int)binarySize;
            return BinaryTensorReader.Read(bytes, name, type, shape);
        }

        if (dataStart < 0)
        {
            throw Invalid($"input '{name}' has no 'data'");
        }

        return read ?? TensorJsonReader.ReadWithShape(body[dataStart..dataEnd], name, type, shape);
    }

    /// <summary>
    /// Moves the reader past an array that was read without it, ending at <paramref name="end"/>: the state it would
    /// have after the array is that of a reader that, from the state at the property name, reads the bytes up to
    /// the array's <c>[</c> (<paramref name="open"/>) and then an empty array's <c>]</c>. The reader then goes on
    /// over the rest of the body. False (the reader unmoved) if that stand-in does not read as expected.
    /// </summary>
    private static bool TrySkipTo(ref Utf8JsonReader reader, ref int readerOffset, ReadOnlySpan<byte> body, JsonReaderState atName, ReadOnlySpan<byte> open, int end)
    {
        Span<byte> standIn = stackalloc byte[MaxGap + 2];
        open.CopyTo(standIn);
        standIn[open.Length] = (byte)']';
        var skip = new Utf8JsonReader(standIn[..(open.Length + 1)], isFinalBlock: false, atName);
        try
        {
            if (!skip.Read() || skip.TokenType != JsonTokenType.StartArray || !skip.Read() || skip.TokenType != JsonTokenType.EndArray)
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        reader = new Utf8JsonReader(body[end..], isFinalBlock: true, skip.CurrentState);
        readerOffset = end;
        return true;
    }

    private static void Discard(ref InputTensor? read)
    {
        read?.Dispose();
        read = null;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int position)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"inputs[{position}].shape must be an array of integers");
        Span<long> dims = stackalloc long[MaxRank];
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var d) || d < 0)
            {
                throw Invalid($"inputs[{position}].shape must hold non-negative integers");
            }

            if (rank == MaxRank)
            {
                throw Invalid($"inputs[{position}].shape has more than {MaxRank} dimensions");
            }

            dims[rank++] = d;
        }

        return dims[..rank].ToArray();
    }

    private static List<string> ReadOutputs(ref Utf8JsonReader reader, V2OutputFormat format)
    {
        Expect(ref reader, JsonTokenType.StartArray, "'outputs' must be an array");
        var outputs = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "each element of 'outputs' must be an object with a 'name'");
            string? name = null;
            bool? binary = null;
            var classes = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.String, "outputs[].name must be a string");
                    name = reader.GetString();
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.StartObject, "outputs[].parameters must be an object");
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("binary_data"u8))
                        {
                            reader.Read();
                            binary = reader.TokenType switch
                            {
                                JsonTokenType.True => true,
                                JsonTokenType.False => false,
                                _ => throw Invalid("outputs[].parameters.binary_data must be true or false"),
                            };
                        }
                        else if (reader.ValueTextEquals("classification"u8))
                        {
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var k) || k < 0)
                            {
                                throw Invalid("outputs[].parameters.classification must be a non-negative integer (the number of top classes)");
                            }

                            classes = (int)Math.Min(k, int.MaxValue);
                        }
                        else
                        {
                            reader.Read();
                        }

                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (string.IsNullOrEmpty(name))
            {
                throw Invalid("each element of 'outputs' needs a 'name'");
            }

            outputs.Add(name);
            if (binary is { } isBinary)
            {
                (format.PerOutput ??= new Dictionary<string, bool>(StringComparer.Ordinal))[name] = isBinary;
            }

            if (classes > 0)
            {
                (format.Classification ??= new Dictionary<string, int>(StringComparer.Ordinal))[name] = classes;
            }
        }

        return outputs;
    }

    private static void ReadParameters(ref Utf8JsonReader reader, InferenceRequest request, V2OutputFormat format)
    {
        Expect(ref reader, JsonTokenType.StartObject, "'parameters' must be an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("timeout_ms"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var ms) || ms <= 0)
                {
                    throw Invalid("parameters.timeout_ms must be a positive integer");
                }

                request.Timeout = TritonParameters.Shorter(request.Timeout, TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue)));
            }
            else if (reader.ValueTextEquals("timeout"u8))
            {
                // Triton's, as tritonclient.http's infer(timeout=...) sends it: microseconds, 0 for none.
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var microseconds) || microseconds < 0)
                {
                    throw Invalid("parameters.timeout must be a non-negative integer of microseconds (Triton's; timeout_ms takes milliseconds)");
                }

                request.Timeout = TritonParameters.Shorter(request.Timeout, TritonParameters.Microseconds(microseconds));
            }
            else if (reader.ValueTextEquals("priority"u8))
            {
                // One priority level, as over gRPC: the value is checked and has no effect.
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out _))
                {
                    throw Invalid("parameters.priority must be a non-negative integer");
                }
            }
            else if (reader.ValueTextEquals("sequence_id"u8))
            {
                reader.Read();
                var none = reader.TokenType switch
                {
                    JsonTokenType.Number => reader.TryGetInt64(out var id) && id == 0,
                    JsonTokenType.String => reader.ValueSpan.Length == 0,
                    JsonTokenType.Null => true,
                    _ => false,
                };
                if (!none)
                {
                    throw Invalid(TritonParameters.SequenceRefused);
                }
            }
            else if (reader.ValueTextEquals("binary_data_output"u8))
            {
                reader.Read();
                format.AllBinary = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw Invalid("parameters.binary_data_output must be true or false"),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string message)
    {
        if (reader.TokenType != token)
        {
            throw Invalid(message);
        }
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
