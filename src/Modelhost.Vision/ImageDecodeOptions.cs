using Modelhost.Vision.Processing;

namespace Modelhost.Vision;

/// <summary>
/// Limits that guard the decoders against decompression bombs, plus decoding choices. Dimensions are checked
/// against the header before any pixel buffer is allocated.
/// </summary>
public sealed class ImageDecodeOptions
{
    /// <summary>The default for <see cref="MaxWidth"/> and <see cref="MaxHeight"/>.</summary>
    public const int DefaultMaxDimension = 16384;

    /// <summary>The default for <see cref="MaxPixels"/>.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The default for <see cref="MaxInputBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxInputBytes = 64L * 1024 * 1024;

    private int _maxWidth = DefaultMaxDimension;
    private int _maxHeight = DefaultMaxDimension;
    private long _maxPixels = DefaultMaxPixels;
    private long _maxInputBytes = DefaultMaxInputBytes;

    // Shared by callers that pass no options; internal so that nobody can change the defaults for everyone.
    internal static ImageDecodeOptions Default { get; } = new();

    /// <summary>The widest image accepted, in pixels (default 16384).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxWidth
    {
        get => _maxWidth;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxWidth = value;
        }
    }

    /// <summary>The tallest image accepted, in pixels (default 16384).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxHeight
    {
        get => _maxHeight;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxHeight = value;
        }
    }

    /// <summary>The largest width × height accepted (default 40,000,000).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxPixels
    {
        get => _maxPixels;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxPixels = value;
        }
    }

    /// <summary>The largest encoded input accepted, in bytes (default 64 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxInputBytes
    {
        get => _maxInputBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxInputBytes = value;
        }
    }

    /// <summary>
    /// Whether the image's EXIF orientation (tag 0x0112, values 1–8) is applied, so that the pixels come out the way
    /// the image is meant to be viewed (default <see langword="true"/>).
    /// </summary>
    public bool ApplyExifOrientation { get; set; } = true;

    /// <summary>
    /// The model input the image is decoded for, or <see langword="null"/> (the default) for the full size. When
    /// set, a JPEG is decoded straight from its DCT coefficients at the smallest scale (1/8, 2/8, … 8/8) whose image
    /// still covers four times that input the way <see cref="PreprocessOptions.Resize"/> fits it (letterbox: one side at
    /// least four times the input's; stretch: both), so that the resizer is left a reduction of at least 4× and the
    /// fitted input matches a full decode's.
    /// Other formats decode at full size. <see cref="RgbImage.SourceWidth"/> and <see cref="RgbImage.SourceHeight"/>
    /// keep the full size.
    /// </summary>
    public PreprocessOptions? Target { get; set; }
}
