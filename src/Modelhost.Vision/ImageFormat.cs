namespace Modelhost.Vision;

/// <summary>The image formats that <see cref="ImageDecoder"/> recognises by their signature and decodes.</summary>
public enum ImageFormat
{
    /// <summary>None of the signatures below.</summary>
    Unknown = 0,

    /// <summary>PNG: starts with the 8-byte signature <c>89 50 4E 47 0D 0A 1A 0A</c>.</summary>
    Png = 1,

    /// <summary>JPEG: starts with the SOI marker <c>FF D8</c>.</summary>
    Jpeg = 2,

    /// <summary>WebP: a RIFF container (<c>RIFF</c>, 4 bytes of length, <c>WEBP</c>); lossy or lossless.</summary>
    Webp = 3,

    /// <summary>GIF: starts with <c>GIF87a</c> or <c>GIF89a</c>; only the first frame is decoded.</summary>
    Gif = 4,

    /// <summary>BMP: starts with <c>BM</c>.</summary>
    Bmp = 5,
}
