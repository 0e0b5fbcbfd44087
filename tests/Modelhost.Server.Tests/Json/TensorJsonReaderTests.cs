using System.Text;
using Modelhost.Core;
using Modelhost.Core.Tensors;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

public sealed class TensorJsonReaderTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("[[1,2,3],[4,5,6]]", new long[] { 2, 3 })]
    [InlineData("[1,2,3]", new long[] { 3 })]
    [InlineData("7", new long[0])]
    [InlineData("[]", new long[] { 0 })]
    [InlineData("[[[1],[2]],[[3],[4]]]", new long[] { 2, 2, 1 })]
    public void InferShape_reads_the_nesting_of_rectangular_arrays(string json, long[] expected) =>
        Assert.Equal(expected, TensorJsonReader.InferShape(Utf8(json), "x"));

    [Theory]
    [InlineData("[[1,2],[3]]", "ragged")]
    [InlineData("[[1,2],3]", "ragged")]
    [InlineData("[{\"a\":1}]", "object")]
    public void InferShape_rejects_ragged_or_object_data(string json, string expected)
    {
        var ex = Assert.Throws<InferenceException>(() => TensorJsonReader.InferShape(Utf8(json), "x"));
        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadWithShape_accepts_flat_and_nested_data_alike()
    {
        using var flat = TensorJsonReader.ReadWithShape(Utf8("[1,2,3,4]"), "x", TensorElementType.Int32, [2, 2]);
        using var nested = TensorJsonReader.ReadWithShape(Utf8("[[1,2],[3,4]]"), "x", TensorElementType.Int32, [2, 2]);
        Assert.Equal(flat.Data.ToArray(), nested.Data.ToArray());
        Assert.Equal(new byte[] { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0 }, flat.Data.ToArray());
    }

    [Theory]
    [InlineData(TensorElementType.UInt8, "[256]", "not a valid UINT8")]
    [InlineData(TensorElementType.Int8, "[-129]", "not a valid INT8")]
    [InlineData(TensorElementType.Int32, "[1.5]", "not a valid INT32")]
    [InlineData(TensorElementType.UInt64, "[-1]", "not a valid UINT64")]
    [InlineData(TensorElementType.Float, "[1e39]", "not a valid FP32")]
    [InlineData(TensorElementType.Bool, "[1]", "must be true or false")]
    [InlineData(TensorElementType.Float, "[null]", "is null")]
    [InlineData(TensorElementType.String, "[1]", "must be strings")]
    public void ReadWithShape_rejects_values_out_of_range_or_of_the_wrong_json_type(TensorElementType type, string json, string expected)
    {
        var ex = Assert.Throws<InferenceException>(() => TensorJsonReader.ReadWithShape(Utf8(json), "x", type, [1]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadWithShape_reads_every_fixed_size_type()
    {
        foreach (var (type, json, bytes) in new (TensorElementType, string, byte[])[]
        {
            (TensorElementType.Bool, "[true,false]", [1, 0]),
            (TensorElementType.Int16, "[-2,3]", [0xFE, 0xFF, 3, 0]),
            (TensorElementType.UInt16, "[65535,1]", [0xFF, 0xFF, 1, 0]),
            (TensorElementType.Float16, "[1,-2]", [0x00, 0x3C, 0x00, 0xC0]),
            (TensorElementType.BFloat16, "[1,-2]", [0x80, 0x3F, 0x00, 0xC0]),
            (TensorElementType.Double, "[0.5,2]", [0, 0, 0, 0, 0, 0, 0xE0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40]),
        })
        {
            using var tensor = TensorJsonReader.ReadWithShape(Utf8(json), "x", type, [2]);
            Assert.Equal(bytes, tensor.Data.ToArray());
        }
    }
}
