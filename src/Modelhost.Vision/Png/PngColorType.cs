namespace Modelhost.Vision.Png;

/// <summary>The colour types of the IHDR chunk (PNG specification, section 11.2.2).</summary>
internal enum PngColorType
{
    Gray = 0,
    Rgb = 2,
    Palette = 3,
    GrayAlpha = 4,
    Rgba = 6,
}
