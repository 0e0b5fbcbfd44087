using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Tests.Engine;

public sealed class OnnxRuntimeValueTests
{
    [Theory]
    [InlineData(TensorElementType.Float)]
    [InlineData(TensorElementType.Double)]
    [InlineData(TensorElementType.Int8)]
    [InlineData(TensorElementType.UInt8)]
    [InlineData(TensorElementType.Int16)]
    [InlineData(TensorElementType.UInt16)]
    [InlineData(TensorElementType.Int32)]
    [InlineData(TensorElementType.UInt32)]
    [InlineData(TensorElementType.Int64)]
    [InlineData(TensorElementType.UInt64)]
    [InlineData(TensorElementType.Bool)]
    [InlineData(TensorElementType.Float16)]
    public void CreateTensor_of_T_round_trips_values_shape_and_element_type(TensorElementType type)
    {
        switch (type)
        {
            case TensorElementType.Float: AssertRoundTrip(new[] { 1.5f, -2f, float.MaxValue, float.NaN, 0f, -0f }, type); break;
            case TensorElementType.Double: AssertRoundTrip(new[] { 1.5, -2, double.MinValue, double.Epsilon, 1e300, 0 }, type); break;
            case TensorElementType.Int8: AssertRoundTrip(new sbyte[] { sbyte.MinValue, -1, 0, 1, 2, sbyte.MaxValue }, type); break;
            case TensorElementType.UInt8: AssertRoundTrip(new byte[] { 0, 1, 2, 127, 128, 255 }, type); break;
            case TensorElementType.Int16: AssertRoundTrip(new short[] { short.MinValue, -1, 0, 1, 300, short.MaxValue }, type); break;
            case TensorElementType.UInt16: AssertRoundTrip(new ushort[] { 0, 1, 2, 300, 40000, ushort.MaxValue }, type); break;
            case TensorElementType.Int32: AssertRoundTrip(new[] { int.MinValue, -1, 0, 1, 70000, int.MaxValue }, type); break;
            case TensorElementType.UInt32: AssertRoundTrip(new[] { 0u, 1u, 2u, 70000u, 3_000_000_000u, uint.MaxValue }, type); break;
            case TensorElementType.Int64: AssertRoundTrip(new[] { long.MinValue, -1L, 0L, 1L, 5_000_000_000L, long.MaxValue }, type); break;
            case TensorElementType.UInt64: AssertRoundTrip(new[] { 0ul, 1ul, 2ul, 5_000_000_000ul, 1ul << 63, ulong.MaxValue }, type); break;
            case TensorElementType.Bool: AssertRoundTrip(new[] { true, false, false, true, true, false }, type); break;
            case TensorElementType.Float16: AssertRoundTrip(new[] { (Half)1.5f, (Half)(-2f), Half.MaxValue, Half.Epsilon, (Half)0f, Half.NaN }, type); break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    [Theory]
    [InlineData(TensorElementType.Float)]
    [InlineData(TensorElementType.Double)]
    [InlineData(TensorElementType.Int8)]
    [InlineData(TensorElementType.UInt8)]
    [InlineData(TensorElementType.Int16)]
    [InlineData(TensorElementType.UInt16)]
    [InlineData(TensorElementType.Int32)]
    [InlineData(TensorElementType.UInt32)]
    [InlineData(TensorElementType.Int64)]
    [InlineData(TensorElementType.UInt64)]
    [InlineData(TensorElementType.Bool)]
    [InlineData(TensorElementType.Float16)]
    [InlineData(TensorElementType.BFloat16)]
    public void CreateTensor_over_bytes_round_trips_every_fixed_size_element_type_without_copying(TensorElementType type)
    {
        int size = TensorDataTypes.ElementSize(type);
        byte[] bytes = new byte[3 * 2 * size];
        for (int i = 0; i < bytes.Length; i++)
        {
            // Bools must stay 0 or 1; everything else gets a pattern that shows byte order and position.
            bytes[i] = type == TensorElementType.Bool ? (byte)(i % 2) : (byte)((i * 37) + 1);
        }

        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor(type, bytes, [3, 2]);

        Assert.True(value.IsTensor);
        Assert.Equal(type, value.ElementType);
        Assert.Equal([3L, 2L], value.Shape);
        Assert.Equal(6, value.ElementCount);
        Assert.Equal(bytes, value.GetTensorBytes().ToArray());

        bytes[^1] ^= 1;
        Assert.Equal(bytes[^1], value.GetTensorBytes()[^1]);
    }

    [Fact]
    public void CreateTensor_of_T_reads_the_managed_array_in_place_without_copying()
    {
        float[] data = [1, 2, 3, 4];
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<float>(data, [2, 2]);

        data[0] = 42;
        data[3] = -7;

        ReadOnlySpan<float> tensor = value.GetTensorData<float>();
        Assert.Equal(42, tensor[0]);
        Assert.Equal(-7, tensor[3]);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(tensor), ref data[0]));
    }

    [Fact]
    public void CreateTensor_over_a_slice_starts_at_the_slice()
    {
        int[] data = [9, 9, 1, 2, 3, 9];
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor(data.AsMemory(2, 3), [3]);

        Assert.Equal([1, 2, 3], value.GetTensorData<int>().ToArray());
    }

    [Fact]
    public void CreateTensor_with_an_empty_shape_is_a_scalar_of_one_element()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<double>(new[] { 2.5 }, []);

        Assert.Empty(value.Shape);
        Assert.Equal(1, value.ElementCount);
        Assert.Equal(2.5, value.GetTensorData<double>()[0]);
    }

    [Fact]
    public void CreateTensor_with_a_zero_dimension_has_no_elements()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<float>(Array.Empty<float>(), [0, 4]);

        Assert.Equal([0L, 4L], value.Shape);
        Assert.Equal(0, value.ElementCount);
        Assert.True(value.GetTensorData<float>().IsEmpty);
    }

    [Fact]
    public void CreateTensor_with_a_shape_that_does_not_match_the_data_throws_ArgumentException_naming_both()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[5], [2, 3]));

        Assert.Contains("[2,3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("6", e.Message, StringComparison.Ordinal);
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTensor_over_bytes_with_the_wrong_length_throws_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateTensor(TensorElementType.Float, new byte[7], [2]));
        Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateTensor(TensorElementType.String, new byte[8], [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxRuntimeEngine.Instance.CreateTensor((TensorElementType)14, new byte[8], [1]));
    }

    [Fact]
    public void CreateTensor_with_a_negative_dimension_throws_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [-1, 4]));
    }

    [Fact]
    public void CreateTensor_of_an_unsupported_type_throws_NotSupportedException()
    {
        Assert.Throws<NotSupportedException>(() => OnnxRuntimeEngine.Instance.CreateTensor<char>(new char[2], [2]));
    }

    [Fact]
    public void GetTensorData_of_the_wrong_type_throws_InvalidOperationException()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[2], [2]);

        Assert.Throws<InvalidOperationException>(() => value.GetTensorData<int>().Length);
        Assert.Throws<InvalidOperationException>(() => value.GetStrings());
    }

    [Fact]
    public void String_tensor_round_trips_unicode_and_empty_strings()
    {
        string[] values = ["héllo", "", "日本語", "🙂 emoji", "a\0b", ""];
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateStringTensor(Utf8(values), [2, 3]);

        Assert.True(value.IsTensor);
        Assert.Equal(TensorElementType.String, value.ElementType);
        Assert.Equal([2L, 3L], value.Shape);
        Assert.Equal(6, value.ElementCount);
        Assert.Equal(values, value.GetStrings());
        Assert.Equal(values.Select(Encoding.UTF8.GetBytes).ToArray(), value.GetStringBytes());
    }

    [Fact]
    public void String_tensor_of_only_empty_strings_round_trips()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateStringTensor(Utf8("", ""), [2]);

        Assert.Equal(["", ""], value.GetStrings());
    }

    [Fact]
    public void String_tensor_round_trips_raw_bytes_including_NUL_and_invalid_UTF8()
    {
        ReadOnlyMemory<byte>[] values = [new byte[] { 0, 0x41, 0 }, Array.Empty<byte>(), new byte[] { 0xff, 0xfe, 0x00, 0x80 }];
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateStringTensor(values, [3]);

        byte[][] read = value.GetStringBytes();

        Assert.Equal(3, read.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i].ToArray(), read[i]);
        }

        Assert.Equal("\0A\0", value.GetStrings()[0]);
    }

    [Fact]
    public void String_tensor_with_no_elements_round_trips()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateStringTensor(Array.Empty<ReadOnlyMemory<byte>>(), [0]);

        Assert.Empty(value.GetStrings());
        Assert.Empty(value.GetStringBytes());
    }

    [Fact]
    public void String_tensor_with_a_mismatched_shape_throws_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateStringTensor(Utf8("a", "b"), [3]));
        Assert.Throws<ArgumentException>(() => OnnxRuntimeEngine.Instance.CreateStringTensor(new ReadOnlyMemory<byte>[] { new byte[1] }, [2]));
    }

    [Fact]
    public void String_tensor_has_no_byte_buffer()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateStringTensor(Utf8("a"), [1]);

        Assert.Throws<InvalidOperationException>(() => value.GetTensorBytes().Length);
    }

    [Fact]
    public void Disposing_a_value_twice_is_safe_and_using_it_afterwards_throws_ObjectDisposedException()
    {
        EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[2], [2]);
        EngineValue strings = OnnxRuntimeEngine.Instance.CreateStringTensor(Utf8("x"), [1]);

        value.Dispose();
        value.Dispose();
        strings.Dispose();

        Assert.Throws<ObjectDisposedException>(() => value.ElementType);
        Assert.Throws<ObjectDisposedException>(() => value.Shape);
        Assert.Throws<ObjectDisposedException>(() => value.IsTensor);
        Assert.Throws<ObjectDisposedException>(() => value.ElementCount);
        Assert.Throws<ObjectDisposedException>(() => value.GetTensorData<float>().Length);
        Assert.Throws<ObjectDisposedException>(() => value.GetTensorBytes().Length);
        Assert.Throws<ObjectDisposedException>(() => strings.GetStrings());
        Assert.Throws<ObjectDisposedException>(() => strings.GetStringBytes());
    }

    [Fact]
    public void Shape_returns_a_copy_the_caller_may_change()
    {
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[6], [2, 3]);

        value.Shape[0] = 99;

        Assert.Equal([2L, 3L], value.Shape);
    }

    [Fact]
    public void ElementSize_gives_each_element_size_and_zero_for_strings()
    {
        Assert.Equal(4, TensorDataTypes.ElementSize(TensorElementType.Float));
        Assert.Equal(1, TensorDataTypes.ElementSize(TensorElementType.Bool));
        Assert.Equal(2, TensorDataTypes.ElementSize(TensorElementType.BFloat16));
        Assert.Equal(8, TensorDataTypes.ElementSize(TensorElementType.UInt64));
        Assert.Equal(0, TensorDataTypes.ElementSize(TensorElementType.String));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorDataTypes.ElementSize((TensorElementType)0));
    }

    private static ReadOnlyMemory<byte>[] Utf8(params string[] values) => values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray();

    private static void AssertRoundTrip<T>(T[] values, TensorElementType expectedType)
        where T : unmanaged
    {
        long[] shape = [2, values.Length / 2];
        using EngineValue value = OnnxRuntimeEngine.Instance.CreateTensor<T>(values, shape);

        Assert.True(value.IsTensor);
        Assert.Equal(expectedType, value.ElementType);
        Assert.Equal(shape, value.Shape);
        Assert.Equal(values.Length, value.ElementCount);
        Assert.Equal(values, value.GetTensorData<T>().ToArray());
        Assert.Equal(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), value.GetTensorBytes().ToArray());
    }
}
