using System.Globalization;

namespace Modelhost.Learning.Trees;

/// <summary>
/// How many features a tree considers at each split, drawn at random (scikit-learn's <c>max_features</c>). If none
/// of those varies within the node, more are drawn until one does or all have been tried.
/// </summary>
public readonly struct MaxFeatures : IEquatable<MaxFeatures>
{
    private const int SqrtRule = 0;
    private const int Log2Rule = 1;
    private const int FractionRule = 2;
    private const int CountRule = 3;

    private readonly int _rule;
    private readonly double _value;

    private MaxFeatures(int rule, double value)
    {
        _rule = rule;
        _value = value;
    }

    /// <summary><c>max(1, floor(sqrt(F)))</c> features; the default for classification.</summary>
    public static MaxFeatures Sqrt => new(SqrtRule, 0);

    /// <summary><c>max(1, floor(log2(F)))</c> features.</summary>
    public static MaxFeatures Log2 => new(Log2Rule, 0);

    /// <summary>Every feature; the default for regression.</summary>
    public static MaxFeatures All => new(FractionRule, 1.0);

    /// <summary><c>max(1, floor(fraction * F))</c> features.</summary>
    /// <param name="fraction">In (0, 1].</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public static MaxFeatures Fraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction of features must be in (0, 1].");
        }

        return new(FractionRule, fraction);
    }

    /// <summary>A fixed number of features (all of them when there are fewer).</summary>
    /// <param name="count">1 or more.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static MaxFeatures Count(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new(CountRule, count);
    }

    /// <summary>Whether two rules are the same.</summary>
    /// <param name="left">The first rule.</param>
    /// <param name="right">The second rule.</param>
    public static bool operator ==(MaxFeatures left, MaxFeatures right) => left.Equals(right);

    /// <summary>Whether two rules differ.</summary>
    /// <param name="left">The first rule.</param>
    /// <param name="right">The second rule.</param>
    public static bool operator !=(MaxFeatures left, MaxFeatures right) => !left.Equals(right);

    /// <summary>The number of features to consider out of <paramref name="featureCount"/>.</summary>
    /// <param name="featureCount">The number of features in the data; 1 or more.</param>
    /// <returns>A number in <c>[1, featureCount]</c>.</returns>
    public int Resolve(int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        int count = _rule switch
        {
            SqrtRule => (int)Math.Sqrt(featureCount),
            Log2Rule => (int)Math.Log2(featureCount),
            FractionRule => (int)(_value * featureCount),
            _ => (int)_value,
        };
        return Math.Clamp(count, 1, featureCount);
    }

    /// <inheritdoc/>
    public bool Equals(MaxFeatures other) => _rule == other._rule && _value.Equals(other._value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MaxFeatures other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_rule, _value);

    /// <summary>The rule as scikit-learn would write it: <c>sqrt</c>, <c>log2</c>, a fraction or a count.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _rule switch
    {
        SqrtRule => "sqrt",
        Log2Rule => "log2",
        FractionRule => _value.ToString("R", CultureInfo.InvariantCulture),
        _ => ((int)_value).ToString(CultureInfo.InvariantCulture),
    };
}
