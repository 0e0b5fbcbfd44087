namespace Modelhost.Core.Repository;

/// <summary>A version directory, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;</c>, as one scan saw it.</summary>
/// <param name="Version">The version number, &gt; 0.</param>
/// <param name="Path">The directory's full path.</param>
/// <param name="Fingerprint">What its files looked like, to tell whether it is still changing.</param>
internal sealed record VersionDirectory(long Version, string Path, VersionFingerprint Fingerprint)
{
    /// <summary>The full path of the version's <c>model.onnx</c>, which may not exist: see <see cref="VersionFingerprint.HasModelFile"/>.</summary>
    public string ModelPath => System.IO.Path.Join(Path, RepositoryScanner.ModelFileName);
}
