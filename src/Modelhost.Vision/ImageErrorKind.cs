namespace Modelhost.Vision;

/// <summary>Why an image could not be decoded; decides the HTTP status the server answers with.</summary>
public enum ImageErrorKind
{
    /// <summary>
    /// A valid image in a format or variant the decoders do not handle (not PNG or JPEG, arithmetic-coded or
    /// 12-bit JPEG, ...). The server answers 415 Unsupported Media Type.
    /// </summary>
    Unsupported = 0,

    /// <summary>The data breaks the format's rules (bad CRC, invalid Huffman code, bad marker). Answered with 400.</summary>
    Corrupt = 1,

    /// <summary>The data ends before the image does (including an empty body). Answered with 400.</summary>
    Truncated = 2,

    /// <summary>
    /// The input or the image its header describes exceeds a limit of <see cref="ImageDecodeOptions"/>.
    /// Answered with 400.
    /// </summary>
    TooLarge = 3,
}
