using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsAdmissibilityTests
{
    [Theory]
    [InlineData(new[] { 1.0, -0.75, 0.125 }, true)] // (1 − 0.5L)(1 − 0.25L)
    [InlineData(new[] { 1.0, -2.0 }, false)] // root at L = 0.5
    [InlineData(new[] { 1.0, 0.45, -0.6 }, false)] // roots near −0.97 and 1.72
    [InlineData(new[] { 1.0, 0.0, 0.0, 0.5 }, true)] // roots of modulus 2^(1/3)
    [InlineData(new[] { 1.0, 0.0, 0.0, 1.5 }, false)]
    [InlineData(new[] { 1.0, -0.9, 0.0 }, true)] // a trailing zero lowers the degree
    public void Roots_outside_the_unit_circle_are_recognised(double[] coefficients, bool expected)
    {
        Assert.Equal(expected, EtsAdmissibility.RootsOutsideUnitCircle(coefficients.AsSpan().ToArray()));
    }

    [Theory]
    [InlineData(0.5, 0.3, true)]
    [InlineData(0.9999, 0.0001, true)]
    [InlineData(0.2, 1.9, false)] // γ above 2 − α
    [InlineData(1.95, 0.1, false)] // α + γ above 2
    public void Additive_seasonal_level_models_follow_the_known_region(double alpha, double gamma, bool expected)
    {
        // ETS(A,N,A) is forecastable for 0 < γ < 2 − α when α > 0 (Hyndman et al. 2008, table 10.1, for small α, γ).
        var spec = EtsSpec.Parse("ANA");

        Assert.Equal(expected, EtsAdmissibility.IsAdmissible(spec, new EtsSmoothing(alpha, 0, gamma, 0), 4));
    }

    [Fact]
    public void Simple_smoothing_is_forecastable_for_alpha_between_0_and_2()
    {
        var spec = EtsSpec.Parse("ANN");

        Assert.True(EtsAdmissibility.IsAdmissible(spec, new EtsSmoothing(1.5, 0, 0, 0), 1));
        Assert.False(EtsAdmissibility.IsAdmissible(spec, new EtsSmoothing(2.1, 0, 0, 0), 1));
    }

    [Fact]
    public void The_discount_matrix_decays_exactly_when_the_check_says_so()
    {
        // Compare with the definition: powers of D = F − g·w′ for ETS(A,Ad,N) shrink to zero iff admissible.
        foreach (var (alpha, beta, phi) in new[] { (0.5, 0.2, 0.9), (1.2, 1.1, 0.95), (1.9, 1.5, 0.98), (0.3, 0.9, 0.98), (1.5, 0.1, 0.2) })
        {
            var spec = EtsSpec.Parse("AAdN");
            var admissible = EtsAdmissibility.IsAdmissible(spec, new EtsSmoothing(alpha, beta, 0, phi), 1);

            double[,] d = { { 1 - alpha, phi - (alpha * phi) }, { -beta, phi - (beta * phi) } };
            double x0 = 1, x1 = 1;
            for (var i = 0; i < 3000; i++)
            {
                (x0, x1) = ((d[0, 0] * x0) + (d[0, 1] * x1), (d[1, 0] * x0) + (d[1, 1] * x1));
            }

            var decayed = Math.Abs(x0) + Math.Abs(x1) < 1e-6;
            Assert.True(admissible == decayed, $"α={alpha} β={beta} φ={phi}: check {admissible}, decay {decayed}");
        }
    }
}
