namespace Modelhost.Workflows;

/// <summary>Names of files under the data directory, as jobs take them: relative, with no way out of the directory.</summary>
public static class DataFiles
{
    private const int MaxNameLength = 255;

    /// <summary>Whether <paramref name="name"/> is a relative path of ordinary names: not rooted, no '.', '..' or empty part, no backslash.</summary>
    public static bool IsValidName(string? name)
    {
        if (name is null || name.Length is 0 or > MaxNameLength || Path.IsPathRooted(name)
            || name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || name.StartsWith('~'))
        {
            return false;
        }

        foreach (var part in name.Split('/'))
        {
            if (part is "" or "." or ".." || part.StartsWith('.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The message that refuses <paramref name="name"/> as a file name.</summary>
    /// <param name="what">What the name is for, e.g. <c>data file</c>.</param>
    /// <param name="name">The name given.</param>
    public static string InvalidNameMessage(string what, string? name) =>
        $"the {what} '{name}' is not a file name under the data directory: use a relative name such as 'rows.csv' (no absolute path, no '..', no hidden files)";

    /// <summary>The full path of <paramref name="name"/> under <paramref name="dataDirectory"/>, which it must stay inside.</summary>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public static string Resolve(string dataDirectory, string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(InvalidNameMessage("file", name), nameof(name));
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        var full = Path.GetFullPath(Path.Combine(root, name));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException(InvalidNameMessage("file", name), nameof(name));
        }

        // A symbolic link inside the data directory (the file or a directory on the way) must not lead out of it.
        var current = root;
        foreach (var part in name.Split('/'))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !Path.GetFullPath(target).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new ArgumentException($"the file '{name}' goes through a link that leads out of the data directory", nameof(name));
            }
        }

        return full;
    }
}
