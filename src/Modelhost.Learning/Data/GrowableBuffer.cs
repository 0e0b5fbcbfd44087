namespace Modelhost.Learning.Data;

/// <summary>An append-only array that doubles as it grows, for columns of unknown length while a file is read.</summary>
internal sealed class GrowableBuffer<T>
{
    private T[] _items;

    public GrowableBuffer(int capacity)
    {
        _items = new T[Math.Max(capacity, 16)];
    }

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Grow(Count + 1);
        }

        _items[Count++] = item;
    }

    /// <summary>Makes room for <paramref name="count"/> more items and returns them, to be filled in place.</summary>
    public Span<T> AddSpan(int count)
    {
        if (Count + (long)count > _items.Length)
        {
            Grow(Count + (long)count);
        }

        Span<T> span = _items.AsSpan(Count, count);
        Count += count;
        return span;
    }

    /// <summary>The items, in an array of exactly <see cref="Count"/> elements.</summary>
    public T[] ToArray() => Count == _items.Length ? _items : _items.AsSpan(0, Count).ToArray();

    private void Grow(long needed)
    {
        if (needed > Array.MaxLength)
        {
            throw new DatasetFormatException($"The dataset is too large to hold in memory (more than {Array.MaxLength} values in one column or matrix).");
        }

        long size = Math.Min(Math.Max(needed, (long)_items.Length * 2), Array.MaxLength);
        Array.Resize(ref _items, (int)size);
    }
}
