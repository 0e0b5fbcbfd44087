using System.Buffers;

namespace Modelhost.OnnxRuntime;

/// <summary>A copy of every element of a string tensor in pooled buffers, from <c>GetStringTensorContent</c>.</summary>
/// <remarks>ORT keeps strings as <c>std::string</c>s, which cannot be viewed from managed code, so one copy is unavoidable.</remarks>
internal readonly unsafe struct StringTensorContent : IDisposable
{
    private readonly byte[]? _data;
    private readonly nuint[]? _offsets;
    private readonly int _totalLength;

    private StringTensorContent(byte[] data, nuint[] offsets, int count, int totalLength)
    {
        _data = data;
        _offsets = offsets;
        Count = count;
        _totalLength = totalLength;
    }

    internal int Count { get; }

    /// <summary>The bytes of element <paramref name="index"/>, valid until <see cref="Dispose"/>.</summary>
    internal ReadOnlySpan<byte> this[int index]
    {
        get
        {
            int start = (int)_offsets![index];
            int end = index + 1 < Count ? (int)_offsets[index + 1] : _totalLength;
            return _data.AsSpan(start, end - start);
        }
    }

    /// <summary>Copies out the <paramref name="count"/> elements of the string tensor <paramref name="value"/>.</summary>
    internal static StringTensorContent Read(nint value, int count)
    {
        if (count == 0)
        {
            return default;
        }

        int totalLength = checked((int)NativeMethods.GetStringTensorDataLength(value));

        // At least one byte, so ORT is never handed a null buffer even when every string is empty.
        byte[] data = ArrayPool<byte>.Shared.Rent(Math.Max(totalLength, 1));
        nuint[] offsets = ArrayPool<nuint>.Shared.Rent(count);
        try
        {
            fixed (byte* d = data)
            fixed (nuint* o = offsets)
            {
                NativeMethods.GetStringTensorContent(value, d, (nuint)totalLength, o, (nuint)count);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(data);
            ArrayPool<nuint>.Shared.Return(offsets);
            throw;
        }

        return new StringTensorContent(data, offsets, count, totalLength);
    }

    public void Dispose()
    {
        if (_data is not null)
        {
            ArrayPool<byte>.Shared.Return(_data);
        }

        if (_offsets is not null)
        {
            ArrayPool<nuint>.Shared.Return(_offsets);
        }
    }
}
