using Modelhost.Core.Engine;

namespace Modelhost.Core.Tensors;

/// <summary>
/// The values of one engine run, shared by the responses carved out of it. Each response holds one
/// reference; the native values are released when the last response is disposed.
/// </summary>
internal sealed class OutputSet
{
    private readonly EngineValue[] _values;
    private int _references;

    public OutputSet(EngineValue[] values, int references)
    {
        _values = values;
        _references = references;
    }

    public EngineValue this[int index] => _values[index];

    public int Count => _values.Length;

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            foreach (var value in _values)
            {
                value.Dispose();
            }
        }
    }
}
