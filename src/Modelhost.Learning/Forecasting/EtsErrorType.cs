namespace Modelhost.Learning.Forecasting;

/// <summary>How the innovations enter an ETS model: the E in ETS(E,T,S).</summary>
public enum EtsErrorType
{
    /// <summary>Additive errors (A): the one-step error is in the units of the series.</summary>
    Additive,

    /// <summary>Multiplicative errors (M): the one-step error is relative to the forecast; needs strictly positive data.</summary>
    Multiplicative,
}
