using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Modelhost.Server.Grpc;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>The pooled reader of ModelInferRequest against protobuf's own parser, on the same bytes.</summary>
public sealed class InferRequestMarshallerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(97)]
    [InlineData(4096)]
    public void A_message_with_raw_inputs_reads_as_protobuf_reads_it_with_each_entry_8_byte_aligned_in_one_pooled_buffer(int segment)
    {
        var message = Message(3, 2001);
        var read = InferRequestMarshaller.Read(Segmented(message.ToByteArray(), segment));
        Assert.Equal(message, read);

        Assert.True(MemoryMarshal.TryGetArray(read.RawInputContents[0].Memory, out var first));
        for (var i = 0; i < read.RawInputContents.Count; i++)
        {
            Assert.True(MemoryMarshal.TryGetArray(read.RawInputContents[i].Memory, out var entry));
            Assert.Same(first.Array, entry.Array);
            Assert.Equal(0, entry.Offset % 8);
        }

        read.ReturnPooledPayload();
        Assert.Empty(read.RawInputContents);
        Assert.Equal("m", read.ModelName);
    }

    [Fact]
    public void Raw_entries_ahead_of_other_fields_and_unknown_fields_after_them_read_as_protobuf_reads_them()
    {
        var message = Message(2, 3000);
        var bytes = message.ToByteArray();
        var raw = new ModelInferRequest { RawInputContents = { message.RawInputContents } }.ToByteArray();
        var rest = message.Clone();
        rest.RawInputContents.Clear();

        // Field order is free on the wire: raw entries first, then the rest.
        var reordered = InferRequestMarshaller.Read(new ReadOnlySequence<byte>([.. raw, .. rest.ToByteArray()]));
        Assert.Equal(message, reordered);

        // An unknown varint field (number 99) after the raw entries.
        byte[] unknown = [0x98, 0x06, 0x2A];
        var withUnknown = InferRequestMarshaller.Read(new ReadOnlySequence<byte>([.. bytes, .. unknown]));
        Assert.Equal(ModelInferRequest.Parser.ParseFrom([.. bytes, .. unknown]), withUnknown);
        Assert.Equal(message.RawInputContents, withUnknown.RawInputContents);
    }

    [Fact]
    public void A_small_message_and_one_without_raw_inputs_read_as_protobuf_reads_them()
    {
        var small = Message(1, 16);
        Assert.Equal(small, InferRequestMarshaller.Read(new ReadOnlySequence<byte>(small.ToByteArray())));

        var typed = new ModelInferRequest { ModelName = "m", Id = new string('i', 3000) };
        typed.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1, 2 }, Contents = new InferTensorContents { Fp32Contents = { 1f, 2f } } });
        Assert.Equal(typed, InferRequestMarshaller.Read(new ReadOnlySequence<byte>(typed.ToByteArray())));
    }

    [Fact]
    public void A_message_with_more_raw_entries_than_inputs_allowed_reads_as_protobuf_reads_it_and_the_reader_refuses_it()
    {
        var message = Message(1, 2000);
        for (var i = 0; i < GrpcRequestReader.MaxInputs; i++)
        {
            message.RawInputContents.Add(ByteString.CopyFrom(1, 2, 3));
        }

        var read = InferRequestMarshaller.Read(new ReadOnlySequence<byte>(message.ToByteArray()));
        Assert.Equal(message, read);
        // Protobuf's own array for the entry, not a pooled buffer.
        Assert.True(MemoryMarshal.TryGetArray(read.RawInputContents[0].Memory, out var first));
        Assert.Equal((0, first.Array!.Length), (first.Offset, first.Count));
        var error = Assert.Throws<Modelhost.Core.InferenceException>(() => GrpcRequestReader.Read(read, out _));
        Assert.Contains("raw_input_contents has 257 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_message_fails_as_protobuf_fails()
    {
        var bytes = Message(2, 3000).ToByteArray();
        foreach (var cut in new[] { bytes.Length - 1, bytes.Length - 1500, bytes.Length - 3001 })
        {
            var truncated = bytes.AsSpan(0, cut).ToArray();
            var expected = Assert.Throws<InvalidProtocolBufferException>(() => ModelInferRequest.Parser.ParseFrom(truncated));
            var actual = Assert.Throws<InvalidProtocolBufferException>(() => InferRequestMarshaller.Read(new ReadOnlySequence<byte>(truncated)));
            Assert.Equal(expected.Message, actual.Message);
        }
    }

    private static ModelInferRequest Message(int inputs, int bytesEach)
    {
        var message = new ModelInferRequest { ModelName = "m", ModelVersion = "1", Id = "r" };
        message.Parameters["priority"] = new InferParameter { Int64Param = 3 };
        message.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y" });
        for (var i = 0; i < inputs; i++)
        {
            message.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x" + i, Datatype = "UINT8", Shape = { bytesEach + i } });
            var data = new byte[bytesEach + i];
            for (var b = 0; b < data.Length; b++)
            {
                data[b] = (byte)((b * 31) + i);
            }

            message.RawInputContents.Add(ByteString.CopyFrom(data));
        }

        return message;
    }

    /// <summary>The bytes in segments of <paramref name="size"/>, as Kestrel hands a message over in its pipe's blocks.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
            last?.SetNext(next);
            first ??= next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
