using System.Text.Json;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Tensors;

namespace Modelhost.Server.Json;

/// <summary>
/// Parses a KServe V2 inference request with <see cref="Utf8JsonReader"/>. Each input's <c>data</c> is read
/// only after its object ends, because the spec lets <c>data</c> come before <c>shape</c> and <c>datatype</c>.
/// </summary>
internal static class V2RequestParser
{
    private const int MaxInputs = 256;
    private const int MaxRank = 16;

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
        var request = new InferenceRequest();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
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

                        request.Inputs.Add(ReadInput(ref reader, json, binary, ref binaryOffset, request.Inputs.Count));
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

    private static InputTensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, ref int binaryOffset, int position)
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
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.String, $"inputs[{position}].datatype must be a string");
                datatype = reader.GetString();
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                shape = ReadShape(ref reader, position);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataEnd = (int)reader.BytesConsumed;
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

        return TensorJsonReader.ReadWithShape(body[dataStart..dataEnd], name, type, shape);
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

                request.Timeout = TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue));
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
