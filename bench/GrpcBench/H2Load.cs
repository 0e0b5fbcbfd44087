using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Modelhost.Bench.Grpc;

/// <summary>
/// One case driven by nghttp2's <c>h2load</c>, a load generator in C (Debian's nghttp2-client): the same tool for gRPC
/// (HTTP/2 with prior knowledge, one connection, as many streams in flight as the case has clients) and for HTTP/1.1
/// (<c>--h1</c>, one connection per client), each request's bytes written once to a file. Its CPU per row is a third to
/// a half of the .NET clients' on the same two cores, so more of the cores are left to the server. h2load counts
/// HTTP statuses, not gRPC's, which travel in trailers: the caller checks each window against the server's statistics.
/// </summary>
internal sealed partial class H2Load : IDisposable
{
    private readonly List<string> _arguments;
    private readonly string? _bodyPath;
    private readonly int _rowsPerCall;

    private H2Load(List<string> arguments, string? bodyPath, int rowsPerCall)
    {
        _arguments = arguments;
        _bodyPath = bodyPath;
        _rowsPerCall = rowsPerCall;
    }

    /// <summary>The generator when h2load is installed, else null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(dir => Path.Combine(dir, "h2load")).FirstOrDefault(File.Exists);

    /// <summary>A gRPC unary call: <paramref name="message"/> (a serialized request) with gRPC's five-byte prefix.</summary>
    public static H2Load Grpc(string h2load, int port, string method, byte[] message, int clients, int rowsPerCall)
    {
        var body = new byte[message.Length + 5];
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(1), message.Length);
        message.CopyTo(body, 5);
        var path = WriteBody(body);
        return new H2Load(
            [h2load, "-c", "1", "-m", clients.ToString(CultureInfo.InvariantCulture), "-d", path, "-H", "content-type: application/grpc", "-H", "te: trailers",
                $"http://127.0.0.1:{port}/inference.GRPCInferenceService/{method}"],
            path,
            rowsPerCall);
    }

    /// <summary>An HTTP/1.1 POST of <paramref name="body"/> (or a GET without one), one connection per client.</summary>
    public static H2Load Http(string h2load, int port, string path, byte[]? body, IEnumerable<string> headers, int clients, int rowsPerCall)
    {
        var arguments = new List<string> { h2load, "--h1", "-c", clients.ToString(CultureInfo.InvariantCulture) };
        string? bodyPath = null;
        if (body is not null)
        {
            bodyPath = WriteBody(body);
            arguments.AddRange(["-d", bodyPath]);
        }

        foreach (var header in headers)
        {
            arguments.AddRange(["-H", header]);
        }

        arguments.Add($"http://127.0.0.1:{port}{path}");
        return new H2Load(arguments, bodyPath, rowsPerCall);
    }

    /// <summary>
    /// Runs h2load for <paramref name="duration"/> (whole seconds, at least one): the calls it completed, their
    /// rows, its measured time and its own CPU (user and system, from the shell's <c>times</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">h2load failed, or a call failed, errored, timed out or was not answered 2xx.</exception>
    public async Task<(long Calls, long Rows, double Seconds, double ClientCpuSeconds)> RunAsync(TimeSpan duration)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "\"$@\" && times", "h2load" })
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add(_arguments[0]);
        info.ArgumentList.Add("-D");
        info.ArgumentList.Add(Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        foreach (var a in _arguments.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start h2load");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"h2load exited with {process.ExitCode}: {await stderr}{output}");
        }

        var requests = RequestsLine().Match(output);
        var statuses = StatusLine().Match(output);
        var finished = FinishedLine().Match(output);
        var times = TimesLine().Matches(output);
        if (!requests.Success || !statuses.Success || !finished.Success || times.Count < 2)
        {
            throw new InvalidOperationException($"h2load's report was not understood: {output}");
        }

        var done = long.Parse(requests.Groups["done"].Value, CultureInfo.InvariantCulture);
        var succeeded = long.Parse(requests.Groups["succeeded"].Value, CultureInfo.InvariantCulture);
        var ok = long.Parse(statuses.Groups["ok"].Value, CultureInfo.InvariantCulture);
        if (done == 0 || succeeded != done || ok != done || requests.Groups["bad"].Value != "0 failed, 0 errored, 0 timeout")
        {
            throw new InvalidOperationException($"h2load's calls did not all succeed: {requests.Value}; {statuses.Value}");
        }

        // The second line of `times` is the shell's children: h2load.
        var client = Seconds(times[1].Groups["user"]) + Seconds(times[1].Groups["system"]);
        // h2load writes its duration in the unit that suits it: "finished in 998.56ms", "finished in 3.00s".
        var elapsed = double.Parse(finished.Groups["value"].Value, CultureInfo.InvariantCulture) * finished.Groups["unit"].Value switch
        {
            "s" => 1,
            "ms" => 1e-3,
            _ => 1e-6,
        };
        return (done, done * _rowsPerCall, elapsed, client);
    }

    public void Dispose()
    {
        if (_bodyPath is not null)
        {
            File.Delete(_bodyPath);
        }
    }

    private static string WriteBody(byte[] body)
    {
        var path = Path.Combine(Path.GetTempPath(), $"grpcbench-{Environment.ProcessId}-{Guid.NewGuid():N}.body");
        File.WriteAllBytes(path, body);
        return path;
    }

    private static double Seconds(Group minutesAndSeconds)
    {
        var parts = minutesAndSeconds.Value.TrimEnd('s').Split('m');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture) * 60) + double.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"requests: \d+ total, \d+ started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<bad>\d+ failed, \d+ errored, \d+ timeout)")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"status codes: (?<ok>\d+) 2xx")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"finished in (?<value>[\d.]+)(?<unit>s|ms|us),")]
    private static partial Regex FinishedLine();

    [GeneratedRegex(@"^(?<user>\d+m[\d.]+s) (?<system>\d+m[\d.]+s)$", RegexOptions.Multiline)]
    private static partial Regex TimesLine();
}
