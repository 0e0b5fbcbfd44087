using System.Diagnostics;
using System.Text;
using Modelhost.Server.Configuration;

namespace Modelhost.Tests;

/// <summary>Runs the real <c>modelhost</c> executable as a child process and collects its output.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CliProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Pid => _process.Id;

    public static CliProcess Start(params string[] args) => StartWith(null, args);

    public static CliProcess StartWith(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelhost.dll"));

        // Settings in the test runner's own environment (PORT, MODELHOST_URLS...) would change what serve does.
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name == EnvironmentSettings.PortVariable || (name.StartsWith(EnvironmentSettings.Prefix, StringComparison.OrdinalIgnoreCase) && !EnvironmentSettings.IsNotSetting(name)))
            {
                info.Environment.Remove(name);
            }
        }

        // Servers started side by side would all take the default gRPC port; a test that needs gRPC sets its own.
        info.Environment[EnvironmentSettings.Prefix + "GRPC__URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new CliProcess(Process.Start(info)!);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (stopwatch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' never appeared; output so far:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
