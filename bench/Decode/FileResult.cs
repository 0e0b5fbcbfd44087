namespace Modelhost.Bench.Decode;

/// <summary>One JPEG: Modelhost's decode times and, if djpeg ran, its whole-process times and the start-up times.</summary>
internal sealed record FileResult(
    string File,
    int Bytes,
    int Width,
    int Height,
    double[] ModelhostMs,
    double[]? DjpegTotalMs,
    double[]? DjpegStartupMs)
{
    /// <summary>djpeg's decode time estimated by subtraction: median whole run minus median start-up run.</summary>
    public double DjpegEstimateMs =>
        DjpegTotalMs is { } total && DjpegStartupMs is { } startup ? BenchFigures.Median(total) - BenchFigures.Median(startup) : double.NaN;
}
