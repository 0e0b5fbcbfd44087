namespace Modelhost.Vision;

/// <summary>The image formats that <see cref="ImageDecoder"/> recognises by their signature.</summary>
public enum ImageFormat
{
    /// <summary>Neither a PNG nor a JPEG signature.</summary>
    Unknown = 0,

    /// <summary>PNG: starts with the 8-byte signature <c>89 50 4E 47 0D 0A 1A 0A</c>.</summary>
    Png = 1,

    /// <summary>JPEG: starts with the SOI marker <c>FF D8</c>.</summary>
    Jpeg = 2,
}
