using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsSpecTests
{
    [Theory]
    [InlineData("MAdM", EtsErrorType.Multiplicative, EtsTrendType.AdditiveDamped, EtsSeasonType.Multiplicative, "ETS(M,Ad,M)")]
    [InlineData("ANN", EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None, "ETS(A,N,N)")]
    [InlineData("M,A,A", EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Additive, "ETS(M,A,A)")]
    [InlineData("ETS(A,Ad,N)", EtsErrorType.Additive, EtsTrendType.AdditiveDamped, EtsSeasonType.None, "ETS(A,Ad,N)")]
    [InlineData("etS(m, n, m)", EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.Multiplicative, "ETS(M,N,M)")]
    public void Names_parse_and_format_as_in_forecast_ets(string text, EtsErrorType error, EtsTrendType trend, EtsSeasonType season, string method)
    {
        var spec = EtsSpec.Parse(text);

        Assert.Equal(new EtsSpec(error, trend, season), spec);
        Assert.Equal(method, spec.ToString());
        Assert.Equal(spec, EtsSpec.Parse(spec.ToString()));
        Assert.Equal(spec, EtsSpec.Parse(spec.Code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("XNN")]
    [InlineData("AMN")]
    [InlineData("ANX")]
    [InlineData("AAdd")]
    [InlineData("ETS(A,N)")]
    public void Unknown_names_are_rejected(string text)
    {
        Assert.False(EtsSpec.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => EtsSpec.Parse(text));
        Assert.Contains("not an ETS model", error.Message, StringComparison.Ordinal);
    }
}
