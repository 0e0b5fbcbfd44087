namespace Modelhost.Learning.Forecasting;

/// <summary>One observation as read from a series file, with the data row it came from (for error messages).</summary>
internal readonly record struct SeriesCsvPoint(DateTime Time, double Value, long Row);
