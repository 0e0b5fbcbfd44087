namespace Modelhost.Learning.Forecasting;

/// <summary>The seasonal component of an ETS model: the S in ETS(E,T,S).</summary>
public enum EtsSeasonType
{
    /// <summary>No seasonality (N).</summary>
    None,

    /// <summary>Additive seasonality (A): seasonal swings of constant size.</summary>
    Additive,

    /// <summary>Multiplicative seasonality (M): seasonal swings proportional to the level; needs strictly positive data.</summary>
    Multiplicative,
}
