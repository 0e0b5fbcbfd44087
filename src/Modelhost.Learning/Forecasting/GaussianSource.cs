namespace Modelhost.Learning.Forecasting;

/// <summary>
/// Standard normal draws by the polar method over <see cref="DeterministicRandom"/>, so that a seed gives the same
/// draws on every runtime version: a saved model's simulated intervals must not change when the server is upgraded.
/// </summary>
internal sealed class GaussianSource
{
    private readonly DeterministicRandom _uniform;
    private double _spare;
    private bool _hasSpare;

    public GaussianSource(ulong seed)
    {
        _uniform = new DeterministicRandom(seed);
    }

    /// <summary>A draw from N(0, 1).</summary>
    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        double u, v, s;
        do
        {
            u = (2 * _uniform.NextDouble()) - 1;
            v = (2 * _uniform.NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * factor;
        _hasSpare = true;
        return u * factor;
    }
}
