namespace Modelhost.Vision;

/// <summary>What the decoder hands back: interleaved 8-bit pixels with 3 (RGB) or 4 (RGBA) channels.</summary>
internal readonly record struct DecodedImage(int Width, int Height, byte[] Pixels);
