namespace Modelhost.Core.Repository;

/// <summary>
/// Resolves every symbolic link along a path, like realpath(3). Resolving only the last link is not enough to
/// keep a path inside the repository: a target such as <c>inner/../../etc</c> escapes when <c>inner</c> is a link.
/// </summary>
internal static class RealPath
{
    /// <summary>The same limit as Linux's MAXSYMLINKS; more hops than this is a loop.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>
    /// Returns the canonical path with every link resolved, or <see langword="null"/> when the links loop.
    /// Components that do not exist are kept as they are, so a broken link resolves to where it points.
    /// </summary>
    public static string? Resolve(string path)
    {
        // Not Path.GetFullPath: it folds "link/.." away as text, but ".." must apply to where the link points.
        string full = Path.IsPathFullyQualified(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        string root = Path.GetPathRoot(full) ?? "";
        var pending = new Stack<string>();
        PushComponents(pending, full.AsSpan(root.Length));

        string current = root;
        int hops = 0;
        while (pending.TryPop(out string? part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            string candidate = Path.Join(current, part);
            string? target = ReadLink(candidate);
            if (target is null)
            {
                current = candidate;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? root;
                target = target[current.Length..];
            }

            // A relative target is resolved from the link's directory, which is still `current`.
            PushComponents(pending, target);
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it; both must be resolved already.</summary>
    public static bool IsWithin(string path, string root)
    {
        // Windows and macOS volumes are case-insensitive by default, so a differently cased path is the same place.
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        string trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        if (string.Equals(Path.TrimEndingDirectorySeparator(path), trimmedRoot, comparison))
        {
            return true;
        }

        string prefix = Path.EndsInDirectorySeparator(trimmedRoot) ? trimmedRoot : trimmedRoot + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison);
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void PushComponents(Stack<string> pending, ReadOnlySpan<char> relative)
    {
        var parts = new List<string>();
        foreach (Range range in relative.SplitAny(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
        {
            parts.Add(relative[range].ToString());
        }

        for (int i = parts.Count - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }
}
