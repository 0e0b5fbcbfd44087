using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Reads a <c>ModelInferRequest</c> with its <c>raw_input_contents</c> copied into one buffer from
/// <see cref="TensorBuffers"/> (pooled up to 1 MiB), where protobuf would allocate a new array per entry: a 64-row
/// request of 512 FP32 is a 128 KiB array on the large-object heap, zeroed and then collected with gen2. The message's
/// other fields are parsed by protobuf as usual.
/// </summary>
/// <remarks>
/// The entries are copied once, as protobuf copies them, each at an offset that is a multiple of 8 (the alignment of a
/// protobuf array's data, which the engines read in place). The buffer goes back to the pool through
/// <see cref="ModelInferRequest.ReturnPooledPayload"/> when the inference is over. A message this reader does not expect
/// (raw entries before other fields, groups, a malformed field) is left to protobuf's parser whole, which reads it or
/// fails as it always did.
/// </remarks>
internal static class InferRequestMarshaller
{
    /// <summary>Below this many bytes the message is parsed the usual way: the arrays are small and short-lived.</summary>
    internal const int MinPooledBytes = 1024;

    private const int RawInputContentsField = 7;
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>The marshaller: <paramref name="serializer"/> (the generated one) and the pooled reader.</summary>
    public static Marshaller<ModelInferRequest> Create(Action<ModelInferRequest, SerializationContext> serializer) =>
        new(serializer, Deserialize);

    internal static ModelInferRequest Deserialize(DeserializationContext context) => Read(context.PayloadAsReadOnlySequence());

    internal static ModelInferRequest Read(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < MinPooledBytes || !TryScan(payload, out var prefixEnd, out var entries))
        {
            return ModelInferRequest.Parser.ParseFrom(payload);
        }

        var message = ModelInferRequest.Parser.ParseFrom(payload.Slice(0, prefixEnd));
        var size = 0L;
        foreach (var (_, length) in entries)
        {
            size += Align(length);
        }

        var buffer = TensorBuffers.Rent(checked((int)size));
        var offset = 0;
        foreach (var (start, length) in entries)
        {
            payload.Slice(start, length).CopyTo(buffer.AsSpan(offset, length));
            message.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(offset, length)));
            offset += (int)Align(length);
        }

        message.SetPooledPayload(buffer);
        return message;
    }

    /// <summary>
    /// Walks the top-level fields: every field before the first raw entry is left to protobuf (<paramref name="prefixEnd"/>),
    /// and every field from there on must be a raw entry. False for anything else, so that protobuf reads it whole.
    /// </summary>
    private static bool TryScan(ReadOnlySequence<byte> payload, out long prefixEnd, out List<(long Start, int Length)> entries)
    {
        var reader = new SequenceReader<byte>(payload);
        prefixEnd = -1;
        entries = [];
        while (!reader.End)
        {
            var fieldStart = reader.Consumed;
            if (!TryReadVarint(ref reader, out var tag) || tag > uint.MaxValue || tag >> 3 == 0)
            {
                return false;
            }

            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (field == RawInputContentsField && wire == WireLengthDelimited)
            {
                if (!TryReadVarint(ref reader, out var length) || length > (ulong)reader.Remaining)
                {
                    return false;
                }

                if (prefixEnd < 0)
                {
                    prefixEnd = fieldStart;
                }

                // More entries than a request may have inputs: protobuf reads it and the request reader refuses it,
                // as before, rather than this reader making a list of millions of empty entries.
                if (entries.Count == GrpcRequestReader.MaxInputs)
                {
                    return false;
                }

                entries.Add((reader.Consumed, (int)length));
                reader.Advance((long)length);
                continue;
            }

            if (prefixEnd >= 0 || !TrySkip(ref reader, wire))
            {
                return false;
            }
        }

        return prefixEnd >= 0;
    }

    private static bool TrySkip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case WireVarint:
                return TryReadVarint(ref reader, out _);
            case WireFixed64:
                return TryAdvance(ref reader, 8);
            case WireFixed32:
                return TryAdvance(ref reader, 4);
            case WireLengthDelimited:
                return TryReadVarint(ref reader, out var length) && length <= (ulong)reader.Remaining && TryAdvance(ref reader, (long)length);
            default:
                // Groups (deprecated) and invalid wire types: protobuf's parser decides.
                return false;
        }
    }

    private static bool TryAdvance(ref SequenceReader<byte> reader, long count)
    {
        if (reader.Remaining < count)
        {
            return false;
        }

        reader.Advance(count);
        return true;
    }

    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static long Align(long length) => (length + 7) & ~7L;
}
