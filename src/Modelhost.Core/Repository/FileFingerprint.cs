namespace Modelhost.Core.Repository;

/// <summary>A file's size and last write time, enough to tell that it changed between two scans.</summary>
/// <param name="Size">The length in bytes.</param>
/// <param name="LastWriteUtcTicks">The last write time, in UTC ticks.</param>
internal readonly record struct FileFingerprint(long Size, long LastWriteUtcTicks);
