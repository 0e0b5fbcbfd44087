namespace Modelhost.Vision;

/// <summary>Why an image could not be decoded; decides the HTTP status the server answers with.</summary>
public enum ImageErrorKind
{
    /// <summary>
    /// Bytes of no supported format (see <see cref="ImageFormat"/>), or a variant of one that the codec does not
    /// handle. The server answers 415 Unsupported Media Type.
    /// </summary>
    Unsupported = 0,

    /// <summary>The data breaks the format's rules (a bad header, invalid compressed data). Answered with 400.</summary>
    Corrupt = 1,

    /// <summary>The data ends before the image does (including an empty body). Answered with 400.</summary>
    Truncated = 2,

    /// <summary>
    /// The input or the image its header describes exceeds a limit of <see cref="ImageDecodeOptions"/>.
    /// Answered with 400.
    /// </summary>
    TooLarge = 3,
}
