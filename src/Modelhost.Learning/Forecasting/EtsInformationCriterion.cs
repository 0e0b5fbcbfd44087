namespace Modelhost.Learning.Forecasting;

/// <summary>The information criterion automatic model selection minimizes.</summary>
public enum EtsInformationCriterion
{
    /// <summary>Akaike's criterion corrected for small samples, the <c>forecast::ets</c> default.</summary>
    Aicc,

    /// <summary>Akaike's information criterion.</summary>
    Aic,

    /// <summary>The Bayesian (Schwarz) information criterion.</summary>
    Bic,
}
