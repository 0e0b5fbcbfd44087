namespace Modelhost.Vision.Jpeg;

/// <summary>How a frame's components map to colour, decided the way libjpeg does (JFIF, Adobe APP14, component ids).</summary>
internal enum JpegColorSpace
{
    Gray,
    YCbCr,
    Rgb,

    /// <summary>CMYK as Adobe applications write it: inverted, 0 meaning full ink.</summary>
    Cmyk,

    /// <summary>Adobe's YCCK: the CMY part went through the YCbCr transform, K did not.</summary>
    Ycck,
}
