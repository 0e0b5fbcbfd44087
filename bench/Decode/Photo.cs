#if !BEFORE
using SkiaSharp;

namespace Modelhost.Bench.Decode;

/// <summary>Makes the 12-megapixel JPEG the scenario decodes: a fixture stretched to 4000×3000, quality 90.</summary>
internal static class Photo
{
    public static void Write(string from, string output)
    {
        using var source = SKBitmap.Decode(from) ?? throw new InvalidOperationException($"cannot decode {from}");
        using var large = source.Resize(new SKImageInfo(4000, 3000, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidOperationException("cannot resize");
        using var data = large.Encode(SKEncodedImageFormat.Jpeg, 90) ?? throw new InvalidOperationException("cannot encode");
        using var file = File.Create(output);
        data.SaveTo(file);
        Console.Error.WriteLine($"decode: {output}: 4000x3000, {data.Size:N0} bytes");
    }
}
#endif
