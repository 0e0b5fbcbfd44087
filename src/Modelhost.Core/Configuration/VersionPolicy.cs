namespace Modelhost.Core.Configuration;

/// <summary>
/// Which of a model's versions are served: <c>version_policy</c> in <c>model.yaml</c>, one of
/// <c>{latest: N}</c>, <c>{all: true}</c> or <c>{specific: [1, 3]}</c>. The default is <c>{latest: 1}</c>.
/// </summary>
public sealed class VersionPolicy
{
    private VersionPolicy(VersionPolicyKind kind, int latestCount, long[] specificVersions)
    {
        Kind = kind;
        LatestCount = latestCount;
        SpecificVersions = specificVersions;
    }

    /// <summary>The default policy: serve only the highest version.</summary>
    public static VersionPolicy Default { get; } = Latest(1);

    /// <summary>Serve every version found in the repository.</summary>
    public static VersionPolicy All { get; } = new(VersionPolicyKind.All, 0, []);

    /// <summary>Which form this policy has.</summary>
    public VersionPolicyKind Kind { get; }

    /// <summary>For <see cref="VersionPolicyKind.Latest"/>, how many of the highest versions are served; otherwise 0.</summary>
    public int LatestCount { get; }

    /// <summary>For <see cref="VersionPolicyKind.Specific"/>, the versions to serve in ascending order; otherwise empty.</summary>
    public IReadOnlyList<long> SpecificVersions { get; }

    /// <summary>Creates a policy that serves the <paramref name="count"/> highest versions.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static VersionPolicy Latest(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new VersionPolicy(VersionPolicyKind.Latest, count, []);
    }

    /// <summary>Creates a policy that serves exactly the listed versions, where they exist.</summary>
    /// <exception cref="ArgumentException"><paramref name="versions"/> is empty or holds a version less than 1.</exception>
    public static VersionPolicy Specific(IEnumerable<long> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        long[] sorted = [.. versions.Distinct().Order()];
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A specific version policy needs at least one version.", nameof(versions));
        }

        if (sorted[0] < 1)
        {
            throw new ArgumentException($"Versions are positive integers; got {sorted[0]}.", nameof(versions));
        }

        return new VersionPolicy(VersionPolicyKind.Specific, 0, sorted);
    }

    /// <summary>Picks the versions to serve from the ones in the repository.</summary>
    /// <param name="availableSortedAscending">The versions found on disk, in ascending order.</param>
    /// <returns>
    /// The versions to serve, in ascending order. Specific versions that are not available are left out:
    /// the caller compares with <see cref="SpecificVersions"/> to report them.
    /// </returns>
    public IReadOnlyList<long> Select(IReadOnlyList<long> availableSortedAscending)
    {
        ArgumentNullException.ThrowIfNull(availableSortedAscending);
        switch (Kind)
        {
            case VersionPolicyKind.All:
                return [.. availableSortedAscending];
            case VersionPolicyKind.Latest:
                int skip = Math.Max(0, availableSortedAscending.Count - LatestCount);
                return [.. availableSortedAscending.Skip(skip)];
            default:
                var wanted = new HashSet<long>(SpecificVersions);
                return [.. availableSortedAscending.Where(wanted.Contains)];
        }
    }

    /// <summary>Returns the policy as it is written in <c>model.yaml</c>, e.g. <c>{latest: 1}</c>.</summary>
    public override string ToString() => Kind switch
    {
        VersionPolicyKind.All => "{all: true}",
        VersionPolicyKind.Latest => $"{{latest: {LatestCount}}}",
        _ => $"{{specific: [{string.Join(", ", SpecificVersions)}]}}",
    };
}
