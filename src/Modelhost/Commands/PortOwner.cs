using System.Globalization;

namespace Modelhost.Commands;

/// <summary>Finds which process listens on a TCP port, from /proc (Linux only; null elsewhere or without access).</summary>
internal static class PortOwner
{
    public static (int Pid, string Name)? Find(int port)
    {
        try
        {
            var inodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                if (!File.Exists(table))
                {
                    continue;
                }

                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    // fields: sl local_address rem_address st ... inode is the 10th.
                    if (fields.Length < 10 || fields[3] != "0A")
                    {
                        continue;
                    }

                    var local = fields[1];
                    var colon = local.LastIndexOf(':');
                    if (colon > 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port)
                    {
                        inodes.Add($"socket:[{fields[9]}]");
                    }
                }
            }

            if (inodes.Count == 0)
            {
                return null;
            }

            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                    {
                        var target = new FileInfo(fd).LinkTarget;
                        if (target is not null && inodes.Contains(target))
                        {
                            var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                            return (pid, name);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Processes come and go, and some are not ours to read.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
