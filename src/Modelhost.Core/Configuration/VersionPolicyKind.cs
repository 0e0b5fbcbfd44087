namespace Modelhost.Core.Configuration;

/// <summary>Which form of <c>version_policy</c> a <see cref="VersionPolicy"/> has.</summary>
public enum VersionPolicyKind
{
    /// <summary>Serve the highest <see cref="VersionPolicy.LatestCount"/> versions (<c>{latest: N}</c>).</summary>
    Latest,

    /// <summary>Serve every version in the repository (<c>{all: true}</c>).</summary>
    All,

    /// <summary>Serve only the listed <see cref="VersionPolicy.SpecificVersions"/> (<c>{specific: [...]}</c>).</summary>
    Specific,
}
