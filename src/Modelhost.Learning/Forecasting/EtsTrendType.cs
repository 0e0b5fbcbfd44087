namespace Modelhost.Learning.Forecasting;

/// <summary>The trend component of an ETS model: the T in ETS(E,T,S).</summary>
public enum EtsTrendType
{
    /// <summary>No trend (N).</summary>
    None,

    /// <summary>Additive (linear) trend (A).</summary>
    Additive,

    /// <summary>Additive trend damped by φ (Ad): forecasts flatten out to a constant.</summary>
    AdditiveDamped,
}
