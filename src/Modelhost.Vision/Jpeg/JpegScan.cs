namespace Modelhost.Vision.Jpeg;

/// <summary>The parameters of one SOS segment (T.81 B.2.3).</summary>
/// <param name="Components">The components in the scan, in scan order.</param>
/// <param name="SpectralStart">Ss: the first coefficient (zig-zag index) the scan carries.</param>
/// <param name="SpectralEnd">Se: the last coefficient.</param>
/// <param name="High">Ah: the bit position of the previous pass of successive approximation, 0 on the first.</param>
/// <param name="Low">Al: the bit position (point transform) of this pass.</param>
internal readonly record struct JpegScan(JpegComponent[] Components, int SpectralStart, int SpectralEnd, int High, int Low);
