namespace Modelhost.Vision;

/// <summary>
/// The only exception the decoders throw for bad input: <see cref="Kind"/> classifies the problem and the message
/// names it (for example "JPEG: the data ends before the image does").
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates an exception of kind <see cref="ImageErrorKind.Corrupt"/>.</summary>
    public ImageDecodeException()
        : this(ImageErrorKind.Corrupt, "the image could not be decoded")
    {
    }

    /// <summary>Creates an exception of kind <see cref="ImageErrorKind.Corrupt"/> with a message.</summary>
    /// <param name="message">What is wrong with the image.</param>
    public ImageDecodeException(string message)
        : this(ImageErrorKind.Corrupt, message)
    {
    }

    /// <summary>Creates an exception of kind <see cref="ImageErrorKind.Corrupt"/> with a message and its cause.</summary>
    /// <param name="message">What is wrong with the image.</param>
    /// <param name="innerException">The exception that revealed the problem.</param>
    public ImageDecodeException(string message, Exception? innerException)
        : this(ImageErrorKind.Corrupt, message, innerException)
    {
    }

    /// <summary>Creates an exception of the given kind.</summary>
    /// <param name="kind">The class of problem.</param>
    /// <param name="message">What is wrong with the image.</param>
    public ImageDecodeException(ImageErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an exception of the given kind with the exception that revealed it.</summary>
    /// <param name="kind">The class of problem.</param>
    /// <param name="message">What is wrong with the image.</param>
    /// <param name="innerException">The exception that revealed the problem.</param>
    public ImageDecodeException(ImageErrorKind kind, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The class of problem: <see cref="ImageErrorKind.Unsupported"/> maps to 415, the others to 400.</summary>
    public ImageErrorKind Kind { get; }
}
