using System.Diagnostics;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>
/// Makes files read-only in a way that holds for root too: the tests run as root, where permission bits stop nothing, so
/// they use the immutable attribute (<c>chattr +i</c>), which refuses every write, also through descriptors already open.
/// </summary>
internal static class FileFaults
{
    private static readonly Lazy<string?> _immutableUnsupported = new(Probe);

    /// <summary>Why immutable files cannot be made here (no chattr, no CAP_LINUX_IMMUTABLE, a filesystem without it), or null.</summary>
    public static string? ImmutableUnsupported => _immutableUnsupported.Value;

    public static void SetImmutable(bool immutable, params string[] paths)
    {
        var existing = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
        if (existing.Length == 0)
        {
            return;
        }

        var (code, error) = Run("chattr", [immutable ? "+i" : "-i", .. existing]);
        Assert.True(code == 0, $"chattr failed: {error}");
    }

    private static string? Probe()
    {
        var directory = Path.Combine(Path.GetTempPath(), "modelhost-jobs-tests");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "immutable-probe-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "x");
        try
        {
            var (code, error) = Run("chattr", ["+i", file]);
            if (code != 0)
            {
                return "chattr +i does not work here: " + error;
            }

            try
            {
                File.AppendAllText(file, "y");
                return "chattr +i did not stop a write";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            finally
            {
                Run("chattr", ["-i", file]);
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return "chattr is not installed: " + ex.Message;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (int Code, string Error) Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
