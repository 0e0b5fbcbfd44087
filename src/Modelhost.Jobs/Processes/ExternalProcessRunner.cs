using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Jobs.Workers;

namespace Modelhost.Jobs.Processes;

/// <summary>
/// Runs an external program (the engine of the <c>external</c> trainer): placeholders in its arguments are filled in, its
/// output lines stream to a callback as they come, lines <c>progress: 42 message</c> become progress reports, and on
/// cancellation or timeout the program and every process it started are killed.
/// </summary>
/// <remarks>No shell is ever involved: the argument vector goes to the program as it is, so values need no quoting.</remarks>
public sealed partial class ExternalProcessRunner
{
    /// <summary>After the program exits, how long to keep reading output that processes it left behind still write.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan s_killWait = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates a runner.</summary>
    /// <param name="timeProvider">The clock of the timeout; the system's when null.</param>
    /// <param name="logger">Where starts, exits and kills are logged.</param>
    public ExternalProcessRunner(TimeProvider? timeProvider = null, ILogger<ExternalProcessRunner>? logger = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Replaces every <c>{name}</c> in every argument by <paramref name="values"/>[name]; other text, braces included, stays.
    /// Each argument stays one argument.
    /// </summary>
    /// <exception cref="ArgumentException">An argument uses a placeholder that <paramref name="values"/> lacks.</exception>
    public static IReadOnlyList<string> ExpandPlaceholders(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(values);
        var expanded = new string[arguments.Count];
        for (var i = 0; i < arguments.Count; i++)
        {
            var index = i;
            expanded[i] = Placeholder().Replace(arguments[i], match =>
            {
                var name = match.Groups[1].Value;
                if (!values.TryGetValue(name, out var value))
                {
                    var known = values.Count == 0 ? "none" : string.Join(", ", values.Keys.Order(StringComparer.Ordinal).Select(k => "{" + k + "}"));
                    throw new ArgumentException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Argument {index} of the command ('{arguments[index]}') uses the unknown placeholder {{{name}}}; known placeholders: {known}."));
                }

                return value;
            });
        }

        return expanded;
    }

    /// <summary>
    /// The program to start, as a shell in <paramref name="workingDirectory"/> would find it: a relative path with a '/'
    /// (<c>./train.sh</c>, <c>bin/train</c>) resolves against that directory; an absolute path stays; a bare name is
    /// returned as it is, to be looked up on PATH.
    /// </summary>
    public static string ResolveProgram(string program, string? workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (Path.IsPathRooted(program) || !program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        return Path.GetFullPath(Path.Combine(string.IsNullOrEmpty(workingDirectory) ? Directory.GetCurrentDirectory() : workingDirectory, program));
    }

    /// <summary>
    /// Reads a progress line: <c>progress: 42</c> or <c>progress: 42.5 loading data</c> (percent clamped to 0–100).
    /// </summary>
    public static bool TryParseProgress(string line, out int percent, out string? message)
    {
        ArgumentNullException.ThrowIfNull(line);
        var match = ProgressLine().Match(line);
        if (!match.Success)
        {
            percent = 0;
            message = null;
            return false;
        }

        var value = double.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        percent = (int)Math.Clamp(Math.Floor(value), 0, 100);
        message = match.Groups[2].Success && match.Groups[2].Value.Length > 0 ? match.Groups[2].Value : null;
        return true;
    }

    /// <summary>
    /// Runs the command for a job: output lines go to the job's log (standard error lines marked <c>[stderr]</c>), progress
    /// lines to its progress.
    /// </summary>
    /// <inheritdoc cref="RunAsync(ExternalCommand, IReadOnlyDictionary{string, string}, Func{ExternalOutputLine, CancellationToken, ValueTask}?, Func{int, string?, CancellationToken, ValueTask}?, CancellationToken)" path="/returns"/>
    /// <inheritdoc cref="RunAsync(ExternalCommand, IReadOnlyDictionary{string, string}, Func{ExternalOutputLine, CancellationToken, ValueTask}?, Func{int, string?, CancellationToken, ValueTask}?, CancellationToken)" path="/exception"/>
    public Task<int> RunAsync(ExternalCommand command, IReadOnlyDictionary<string, string> placeholders, JobContext job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return RunAsync(
            command,
            placeholders,
            async (line, ct) => await job.LogAsync(line.IsStandardError ? "[stderr] " + line.Text : line.Text, ct).ConfigureAwait(false),
            async (percent, message, ct) => await job.ReportProgressAsync(percent, message, ct).ConfigureAwait(false),
            cancellationToken);
    }

    /// <summary>Runs the command until it exits, streaming its output lines as they come.</summary>
    /// <param name="command">The program, its arguments (with placeholders), working directory and timeout.</param>
    /// <param name="placeholders">The placeholders' values, e.g. <c>output_dir</c> → a path.</param>
    /// <param name="onOutput">Called for each line that is not a progress line, one call at a time, in order per stream.</param>
    /// <param name="onProgress">Called for each progress line; when null, progress lines go to <paramref name="onOutput"/>.</param>
    /// <param name="cancellationToken">Kills the program and everything it started.</param>
    /// <returns>The program's exit code.</returns>
    /// <exception cref="ArgumentException">The command is empty or uses an unknown placeholder.</exception>
    /// <exception cref="TimeoutException">The program ran longer than <see cref="ExternalCommand.Timeout"/> and was killed.</exception>
    /// <exception cref="OperationCanceledException">The token fired; the program was killed.</exception>
    /// <exception cref="Win32Exception">The program (resolved by <see cref="ResolveProgram"/>) could not be started (e.g. it does not exist).</exception>
    public async Task<int> RunAsync(
        ExternalCommand command,
        IReadOnlyDictionary<string, string> placeholders,
        Func<ExternalOutputLine, CancellationToken, ValueTask>? onOutput,
        Func<int, string?, CancellationToken, ValueTask>? onProgress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Arguments is not { Count: > 0 } || string.IsNullOrWhiteSpace(command.Arguments[0]))
        {
            throw new ArgumentException("The command names no program.", nameof(command));
        }

        if (command.Timeout is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ArgumentException("The command's timeout must be positive.", nameof(command));
        }

        var argv = ExpandPlaceholders(command.Arguments, placeholders);
        var start = new ProcessStartInfo(ResolveProgram(argv[0], command.WorkingDirectory))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            CreateNoWindow = true,
            WorkingDirectory = command.WorkingDirectory ?? string.Empty,
        };
        for (var i = 1; i < argv.Count; i++)
        {
            start.ArgumentList.Add(argv[i]);
        }

        if (command.Environment is not null)
        {
            foreach (var (name, value) in command.Environment)
            {
                start.Environment[name] = value;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = command.Timeout is { } t ? new CancellationTokenSource(t, _timeProvider) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var process = new Process { StartInfo = start };
        var started = _timeProvider.GetTimestamp();
        process.Start();
        LogStarted(_logger, process.Id, argv[0]);
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited before its input could be closed.
        }

        var lines = Channel.CreateUnbounded<ExternalOutputLine>(new UnboundedChannelOptions { SingleReader = true });
        using var drain = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, isStandardError: false, lines.Writer, drain.Token),
            PumpAsync(process.StandardError, isStandardError: true, lines.Writer, drain.Token));
        _ = pumps.ContinueWith(_ => lines.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var consuming = ConsumeAsync(lines.Reader, onOutput, onProgress, linked.Token);

        try
        {
            var exited = process.WaitForExitAsync(linked.Token);
            if (await Task.WhenAny(exited, consuming).ConfigureAwait(false) == consuming && !consuming.IsCompletedSuccessfully)
            {
                await consuming.ConfigureAwait(false);
            }

            await exited.ConfigureAwait(false);

            // The program is gone; what it started may still hold the pipes open, so reading ends soon regardless.
            using (var drainWait = CancellationTokenSource.CreateLinkedTokenSource(linked.Token))
            {
                await Task.WhenAny(pumps, Task.Delay(s_drainTimeout, _timeProvider, drainWait.Token)).ConfigureAwait(false);
                await drainWait.CancelAsync().ConfigureAwait(false);
            }

            await drain.CancelAsync().ConfigureAwait(false);
            lines.Writer.TryComplete();
            await consuming.ConfigureAwait(false);
            LogExited(_logger, process.Id, process.ExitCode, _timeProvider.GetElapsedTime(started).TotalSeconds);
            return process.ExitCode;
        }
        catch (Exception ex)
        {
            var reason = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? "timed out"
                : cancellationToken.IsCancellationRequested ? "cancelled"
                : "failed: " + ex.Message;
            await KillTreeAsync(process, reason).ConfigureAwait(false);
            await drain.CancelAsync().ConfigureAwait(false);
            lines.Writer.TryComplete();
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The command was cancelled and killed.", ex, cancellationToken);
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The command '{argv[0]}' ran longer than {command.Timeout!.Value.TotalSeconds:0.###} s and was killed."));
            }

            throw;
        }
    }

    private static async Task PumpAsync(StreamReader reader, bool isStandardError, ChannelWriter<ExternalOutputLine> lines, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lines.TryWrite(new ExternalOutputLine(isStandardError, line));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Reading stops when the drain time is over or the process object is gone.
        }
    }

    private static async Task ConsumeAsync(
        ChannelReader<ExternalOutputLine> lines,
        Func<ExternalOutputLine, CancellationToken, ValueTask>? onOutput,
        Func<int, string?, CancellationToken, ValueTask>? onProgress,
        CancellationToken cancellationToken)
    {
        await foreach (var line in lines.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (onProgress is not null && TryParseProgress(line.Text, out var percent, out var message))
            {
                await onProgress(percent, message, cancellationToken).ConfigureAwait(false);
            }
            else if (onOutput is not null)
            {
                await onOutput(line, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task KillTreeAsync(Process process, string reason)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            LogKilling(_logger, process.Id, reason);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited between the check and the kill.
            return;
        }

        using var wait = new CancellationTokenSource(s_killWait, _timeProvider);
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogKillTimedOut(_logger, process.Id);
        }
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\s*progress:\s*([0-9]{1,3}(?:\.[0-9]+)?)(?:\s+(.*?))?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ProgressLine();

    [LoggerMessage(EventId = 3150, Level = LogLevel.Information, Message = "Started process {Pid}: {Program}")]
    private static partial void LogStarted(ILogger logger, int pid, string program);

    [LoggerMessage(EventId = 3151, Level = LogLevel.Information, Message = "Process {Pid} exited with code {ExitCode} after {Seconds:0.0} s")]
    private static partial void LogExited(ILogger logger, int pid, int exitCode, double seconds);

    [LoggerMessage(EventId = 3152, Level = LogLevel.Warning, Message = "Killing process {Pid} and its descendants: {Reason}")]
    private static partial void LogKilling(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 3153, Level = LogLevel.Error, Message = "Process {Pid} did not exit after being killed")]
    private static partial void LogKillTimedOut(ILogger logger, int pid);
}
