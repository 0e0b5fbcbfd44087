namespace Modelhost.Core.Repository;

/// <summary>
/// A summary of a version directory's files. Two scans that see different fingerprints mean the directory was
/// still being written (copied, unpacked, synced) between them, so loading it should wait for a stable one.
/// </summary>
/// <param name="TotalBytes">The sum of the files' lengths.</param>
/// <param name="FileCount">How many files were counted.</param>
/// <param name="MaxLastWriteUtcTicks">
/// The latest last write time, in UTC ticks, of the files and of the directories (whose times change when an entry is
/// added, removed or renamed, which sizes alone can miss).
/// </param>
/// <param name="HasModelFile">Whether <c>model.onnx</c> is present directly in the version directory.</param>
/// <param name="HasForecasterFile">Whether <c>ets.json</c>, a fitted forecaster, is present directly in the version directory.</param>
/// <param name="IsTruncated">
/// Whether counting stopped at <see cref="RepositoryScanner.MaxFingerprintFiles"/> files or
/// <see cref="RepositoryScanner.MaxFingerprintDepth"/> levels, so a change past that point goes unseen.
/// </param>
internal readonly record struct VersionFingerprint(
    long TotalBytes,
    int FileCount,
    long MaxLastWriteUtcTicks,
    bool HasModelFile,
    bool HasForecasterFile,
    bool IsTruncated);
