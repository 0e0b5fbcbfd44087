using System.Diagnostics.CodeAnalysis;

namespace Modelhost.Learning.Forecasting;

/// <summary>One ETS model form, ETS(error, trend, season), written as in Hyndman et al. (2008), e.g. ETS(M,Ad,M).</summary>
/// <param name="Error">How the innovations enter the model.</param>
/// <param name="Trend">The trend component.</param>
/// <param name="Season">The seasonal component.</param>
public readonly record struct EtsSpec(EtsErrorType Error, EtsTrendType Trend, EtsSeasonType Season)
{
    /// <summary>Whether the model has a trend state.</summary>
    public bool HasTrend => Trend != EtsTrendType.None;

    /// <summary>Whether the trend is damped by φ.</summary>
    public bool IsDamped => Trend == EtsTrendType.AdditiveDamped;

    /// <summary>Whether the model has seasonal states.</summary>
    public bool HasSeason => Season != EtsSeasonType.None;

    /// <summary>Whether the model needs strictly positive data (multiplicative error or season).</summary>
    public bool NeedsPositiveData => Error == EtsErrorType.Multiplicative || Season == EtsSeasonType.Multiplicative;

    /// <summary>The compact code, e.g. <c>MAdM</c>, as accepted by <c>forecast::ets(model = ...)</c> (with "d" for damping).</summary>
    public string Code => ErrorLetter + TrendLetters + SeasonLetter;

    private string ErrorLetter => Error == EtsErrorType.Additive ? "A" : "M";

    private string TrendLetters => Trend switch
    {
        EtsTrendType.None => "N",
        EtsTrendType.Additive => "A",
        _ => "Ad",
    };

    private string SeasonLetter => Season switch
    {
        EtsSeasonType.None => "N",
        EtsSeasonType.Additive => "A",
        _ => "M",
    };

    /// <summary>The method name, e.g. <c>ETS(M,Ad,M)</c>.</summary>
    public override string ToString() => $"ETS({ErrorLetter},{TrendLetters},{SeasonLetter})";

    /// <summary>Reads <c>MAdM</c>, <c>M,Ad,M</c> or <c>ETS(M,Ad,M)</c> (letters in any case).</summary>
    /// <exception cref="FormatException">The text names no ETS model this library supports.</exception>
    public static EtsSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var spec)
            ? spec
            : throw new FormatException($"'{text}' is not an ETS model: expected e.g. 'ANN', 'MAdM' or 'ETS(A,Ad,N)' (error A|M, trend N|A|Ad, season N|A|M).");
    }

    /// <summary>Reads a model name as <see cref="Parse"/> does, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out EtsSpec spec)
    {
        spec = default;
        if (text is null)
        {
            return false;
        }

        var s = text.Trim();
        if (s.StartsWith("ETS(", StringComparison.OrdinalIgnoreCase) && s.EndsWith(')'))
        {
            s = s[4..^1];
        }

        s = s.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (s.Length is < 3 or > 4)
        {
            return false;
        }

        EtsErrorType error;
        switch (s[0])
        {
            case 'A': error = EtsErrorType.Additive; break;
            case 'M': error = EtsErrorType.Multiplicative; break;
            default: return false;
        }

        EtsTrendType trend;
        int next;
        if (s.Length == 4)
        {
            if (s[1] != 'A' || s[2] != 'D')
            {
                return false;
            }

            trend = EtsTrendType.AdditiveDamped;
            next = 3;
        }
        else
        {
            switch (s[1])
            {
                case 'N': trend = EtsTrendType.None; break;
                case 'A': trend = EtsTrendType.Additive; break;
                default: return false;
            }

            next = 2;
        }

        EtsSeasonType season;
        switch (s[next])
        {
            case 'N': season = EtsSeasonType.None; break;
            case 'A': season = EtsSeasonType.Additive; break;
            case 'M': season = EtsSeasonType.Multiplicative; break;
            default: return false;
        }

        spec = new EtsSpec(error, trend, season);
        return true;
    }
}
