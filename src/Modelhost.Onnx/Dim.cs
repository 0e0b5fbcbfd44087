using System.Globalization;

namespace Modelhost.Onnx;

/// <summary>
/// One dimension of a declared tensor shape: a fixed size (<c>4</c>), a symbolic name
/// (<c>"N"</c>, a size that is known only at run time and is the same wherever the name is used),
/// or unknown (<see cref="Unknown"/>, also the <c>default</c> value).
/// </summary>
/// <remarks>
/// Converts implicitly from <see cref="int"/>, <see cref="long"/> and <see cref="string"/>, so a
/// shape is written as <c>builder.Input("x", OnnxDataType.Float, "N", 4)</c>.
/// </remarks>
public readonly struct Dim : IEquatable<Dim>
{
    private readonly long _value;
    private readonly string? _name;
    private readonly bool _isFixed;

    private Dim(long value, string? name, bool isFixed)
    {
        _value = value;
        _name = name;
        _isFixed = isFixed;
    }

    /// <summary>A dimension of unknown size with no name (the same as <c>default(Dim)</c>).</summary>
    public static Dim Unknown => default;

    /// <summary>Whether this dimension has a fixed size (<see cref="Value"/>).</summary>
    public bool IsFixed => _isFixed;

    /// <summary>Whether this dimension is symbolic (has a <see cref="Name"/>).</summary>
    public bool IsSymbolic => _name is not null;

    /// <summary>Whether this dimension is neither fixed nor named.</summary>
    public bool IsUnknown => !_isFixed && _name is null;

    /// <summary>The fixed size, or -1 when the dimension is symbolic or unknown.</summary>
    public long Value => _isFixed ? _value : -1;

    /// <summary>The symbolic name, or <see langword="null"/> when the dimension is fixed or unknown.</summary>
    public string? Name => _name;

    /// <summary>A dimension of fixed size.</summary>
    /// <param name="value">The size; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static Dim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new Dim(value, null, isFixed: true);
    }

    /// <summary>A symbolic dimension, such as the batch size <c>"N"</c>.</summary>
    /// <param name="name">The name; not empty or white space.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public static Dim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new Dim(0, name, isFixed: false);
    }

    /// <summary>A fixed dimension; see <see cref="Fixed(long)"/>.</summary>
    /// <param name="value">The size; zero or more.</param>
    public static implicit operator Dim(int value) => Fixed(value);

    /// <summary>A fixed dimension; see <see cref="Fixed(long)"/>.</summary>
    /// <param name="value">The size; zero or more.</param>
    public static implicit operator Dim(long value) => Fixed(value);

    /// <summary>A symbolic dimension; see <see cref="Symbolic(string)"/>.</summary>
    /// <param name="name">The name; not empty or white space.</param>
    public static implicit operator Dim(string name) => Symbolic(name);

    /// <summary>Whether two dimensions are equal.</summary>
    /// <param name="left">The first dimension.</param>
    /// <param name="right">The second dimension.</param>
    public static bool operator ==(Dim left, Dim right) => left.Equals(right);

    /// <summary>Whether two dimensions differ.</summary>
    /// <param name="left">The first dimension.</param>
    /// <param name="right">The second dimension.</param>
    public static bool operator !=(Dim left, Dim right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(Dim other) =>
        _isFixed == other._isFixed && _value == other._value && string.Equals(_name, other._name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Dim other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_isFixed, _value, _name);

    /// <summary>The size, the name, or <c>?</c> when unknown.</summary>
    /// <returns>A short text form of the dimension.</returns>
    public override string ToString() =>
        _isFixed ? _value.ToString(CultureInfo.InvariantCulture) : _name ?? "?";
}
