using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Modelhost.Vision;

/// <summary>Repacks the RGBA that Skia decodes to into the RGB that <see cref="RgbImage"/> holds.</summary>
internal static class PixelConversion
{
    public static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        var pixels = rgb.Length / 3;
        if (rgba.Length < pixels * 4)
        {
            throw new ArgumentException($"{rgba.Length} bytes of RGBA are fewer than {pixels} pixels", nameof(rgba));
        }

        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Four pixels per step: 16 bytes in, 12 out. Each store writes 16 bytes, so stop while the 4 spare
            // bytes still fall inside the output (the next step or the scalar tail overwrites them).
            var keep = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
            ref var source = ref MemoryMarshal.GetReference(rgba);
            ref var target = ref MemoryMarshal.GetReference(rgb);
            for (; i + 6 <= pixels; i += 4)
            {
                Vector128.Shuffle(Vector128.LoadUnsafe(ref source, (nuint)(i * 4)), keep).StoreUnsafe(ref target, (nuint)(i * 3));
            }
        }

        for (; i < pixels; i++)
        {
            rgb[i * 3] = rgba[i * 4];
            rgb[(i * 3) + 1] = rgba[(i * 4) + 1];
            rgb[(i * 3) + 2] = rgba[(i * 4) + 2];
        }
    }
}
