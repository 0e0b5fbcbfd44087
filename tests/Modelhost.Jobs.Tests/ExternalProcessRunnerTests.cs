using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Modelhost.Jobs.Processes;
using Modelhost.Jobs.Tests.Infrastructure;
using Modelhost.Jobs.Workers;

namespace Modelhost.Jobs.Tests;

public sealed class ExternalProcessRunnerTests
{
    private static readonly Dictionary<string, string> s_noPlaceholders = [];

    [Fact]
    public void Placeholders_are_substituted_inside_arguments_without_splitting_them()
    {
        var values = new Dictionary<string, string>
        {
            [ExternalPlaceholders.OutputDir] = "/tmp/out dir",
            [ExternalPlaceholders.Model] = "iris",
            [ExternalPlaceholders.NextVersion] = "3",
            [ExternalPlaceholders.Data] = "/data/iris.csv",
        };

        var argv = ExternalProcessRunner.ExpandPlaceholders(
            ["python3", "train.py", "--out={output_dir}", "{model}", "v{next_version}-{model}", "{data}", "{ not a placeholder }", "{}"],
            values);

        Assert.Equal(["python3", "train.py", "--out=/tmp/out dir", "iris", "v3-iris", "/data/iris.csv", "{ not a placeholder }", "{}"], argv);
    }

    [Fact]
    public void An_unknown_placeholder_is_an_error_that_names_it_and_its_argument()
    {
        var error = Assert.Throws<ArgumentException>(() => ExternalProcessRunner.ExpandPlaceholders(
            ["train", "--model={model}", "--epochs={epochs}"],
            new Dictionary<string, string> { ["model"] = "iris" }));

        Assert.Contains("{epochs}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Argument 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("{model}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_reach_the_program_verbatim_because_no_shell_is_involved()
    {
        var lines = new List<string>();
        var runner = new ExternalProcessRunner();

        var exit = await runner.RunAsync(
            new ExternalCommand { Arguments = ["printf", @"%s\n", "a b", "$HOME", "*", "; echo hacked", "{model}"] },
            new Dictionary<string, string> { ["model"] = "it's \"quoted\" $(rm -rf /)" },
            (line, _) => { lines.Add(line.Text); return ValueTask.CompletedTask; },
            null,
            default);

        Assert.Equal(0, exit);
        Assert.Equal(["a b", "$HOME", "*", "; echo hacked", "it's \"quoted\" $(rm -rf /)"], lines);
    }

    [Fact]
    public async Task Output_lines_of_both_streams_arrive_in_order_and_progress_lines_become_progress()
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var progress = new List<(int, string?)>();
        var runner = new ExternalProcessRunner();

        var exit = await runner.RunAsync(
            new ExternalCommand
            {
                Arguments =
                [
                    "sh", "-c",
                    "echo 'progress: 10 loading data'; echo one; echo warn >&2; echo 'progress: 55.5'; echo two; " +
                    "echo 'PROGRESS: 250 done'; echo 'progress: soon'; echo err2 >&2",
                ],
            },
            s_noPlaceholders,
            (line, _) =>
            {
                (line.IsStandardError ? stderr : stdout).Add(line.Text);
                return ValueTask.CompletedTask;
            },
            (percent, message, _) =>
            {
                progress.Add((percent, message));
                return ValueTask.CompletedTask;
            },
            default);

        Assert.Equal(0, exit);
        Assert.Equal(["one", "two", "progress: soon"], stdout);
        Assert.Equal(["warn", "err2"], stderr);
        Assert.Equal([(10, "loading data"), (55, null), (100, "done")], progress);
    }

    [Fact]
    public async Task A_nonzero_exit_code_is_returned_with_the_output_before_it()
    {
        var lines = new List<string>();
        var exit = await new ExternalProcessRunner().RunAsync(
            new ExternalCommand { Arguments = ["sh", "-c", "echo bye; exit 3"] },
            s_noPlaceholders,
            (line, _) => { lines.Add(line.Text); return ValueTask.CompletedTask; },
            null,
            default);

        Assert.Equal(3, exit);
        Assert.Equal(["bye"], lines);
    }

    [Fact]
    public async Task The_program_runs_in_the_given_working_directory_with_the_given_environment()
    {
        var directory = Directory.CreateTempSubdirectory("modelhost-runner-");
        try
        {
            var lines = new List<string>();
            await new ExternalProcessRunner().RunAsync(
                new ExternalCommand
                {
                    Arguments = ["sh", "-c", "pwd; echo \"$MODELHOST_TEST_VALUE\""],
                    WorkingDirectory = directory.FullName,
                    Environment = new Dictionary<string, string?> { ["MODELHOST_TEST_VALUE"] = "forty two" },
                },
                s_noPlaceholders,
                (line, _) => { lines.Add(line.Text); return ValueTask.CompletedTask; },
                null,
                default);

            Assert.Equal([directory.ResolveLinkTarget(true)?.FullName ?? directory.FullName, "forty two"], lines);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("./train.sh", "/models/iris", "/models/iris/train.sh")]
    [InlineData("bin/train", "/models/iris", "/models/iris/bin/train")]
    [InlineData("../shared/train.sh", "/models/iris", "/models/shared/train.sh")]
    [InlineData("/usr/bin/python3", "/models/iris", "/usr/bin/python3")]
    [InlineData("python3", "/models/iris", "python3")]
    public void A_relative_program_path_resolves_against_the_working_directory_and_a_bare_name_stays_for_path(string program, string directory, string expected)
    {
        Assert.Equal(expected, ExternalProcessRunner.ResolveProgram(program, directory));
    }

    [Fact]
    public async Task A_relative_program_path_starts_the_program_in_the_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("modelhost-runner-").FullName;
        try
        {
            var script = Path.Combine(directory, "hello.sh");
            File.WriteAllText(script, "#!/bin/sh\necho \"hello from $(pwd)\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var lines = new List<string>();
            var exit = await new ExternalProcessRunner().RunAsync(
                new ExternalCommand { Arguments = ["./hello.sh"], WorkingDirectory = directory },
                s_noPlaceholders,
                (line, _) =>
                {
                    lines.Add(line.Text);
                    return ValueTask.CompletedTask;
                },
                null,
                default);

            Assert.Equal(0, exit);
            Assert.Equal([$"hello from {directory}"], lines);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_program_fails_to_start()
    {
        await Assert.ThrowsAsync<Win32Exception>(() => new ExternalProcessRunner().RunAsync(
            new ExternalCommand { Arguments = ["/nonexistent/modelhost-trainer"] },
            s_noPlaceholders,
            null,
            null,
            default));
    }

    [Fact]
    public async Task Cancellation_kills_the_program_and_the_processes_it_started()
    {
        using var cancel = new CancellationTokenSource();
        var pids = Channel.CreateUnbounded<int>();
        var runner = new ExternalProcessRunner();

        // The shell starts sleep as a child and prints its pid: the line arrives while the program still runs.
        var running = runner.RunAsync(
            new ExternalCommand { Arguments = ["sh", "-c", "sleep 30 & echo $!; wait"] },
            s_noPlaceholders,
            async (line, ct) => await pids.Writer.WriteAsync(int.Parse(line.Text, CultureInfo.InvariantCulture), ct),
            null,
            cancel.Token);
        var sleepPid = await ReadWithinAsync(pids.Reader);
        Assert.True(IsAlive(sleepPid));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Eventually.WaitForAsync(() => Task.FromResult(IsAlive(sleepPid)), alive => !alive, $"sleep ({sleepPid}) to die");
    }

    [Fact]
    public async Task A_timeout_kills_the_program_and_the_processes_it_started()
    {
        var clock = new ManualTimeProvider();
        var pids = Channel.CreateUnbounded<int>();
        var runner = new ExternalProcessRunner(clock);

        var running = runner.RunAsync(
            new ExternalCommand { Arguments = ["sh", "-c", "sleep 30 & echo $!; wait"], Timeout = TimeSpan.FromMinutes(5) },
            s_noPlaceholders,
            async (line, ct) => await pids.Writer.WriteAsync(int.Parse(line.Text, CultureInfo.InvariantCulture), ct),
            null,
            default);
        var sleepPid = await ReadWithinAsync(pids.Reader);

        clock.Advance(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => running);
        Assert.Contains("300 s", error.Message, StringComparison.Ordinal);
        await Eventually.WaitForAsync(() => Task.FromResult(IsAlive(sleepPid)), alive => !alive, $"sleep ({sleepPid}) to die");
    }

    [Theory, Sqlite, Postgres]
    public async Task Run_for_a_job_its_output_goes_to_the_job_log_and_its_progress_lines_to_the_job_progress(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var runner = new ExternalProcessRunner();
        var trainer = new DelegateHandler("train", async (context, ct) =>
        {
            var exit = await runner.RunAsync(
                new ExternalCommand { Arguments = ["sh", "-c", "echo \"training $0 into $1\"; echo 'progress: 70 fitting'; echo careful >&2", "{model}", "{output_dir}"] },
                new Dictionary<string, string> { ["model"] = "iris", ["output_dir"] = "/tmp/iris-3" },
                context,
                ct);
            return JsonValue.Create(exit);
        });
        var options = new JobWorkerOptions { PollInterval = TimeSpan.FromMilliseconds(50) };
        await using var pool = new JobWorkerPool(store, [trainer], options);
        await pool.StartAsync(default);

        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });

        var done = await Eventually.StateAsync(store, job.Id, JobState.Succeeded);
        Assert.Equal(0, done.Result!.Value.GetInt32());
        var lines = (await store.GetLogsAsync(job.Id)).Select(l => l.Line).ToList();
        Assert.Contains("training iris into /tmp/iris-3", lines);
        Assert.Contains("[stderr] careful", lines);
        Assert.Equal(2, lines.Count);

        // Success sets the percentage to 100 and keeps the last message the program reported.
        Assert.Equal((100, "fitting"), (done.Progress, done.ProgressMessage));
    }

    private static async Task<int> ReadWithinAsync(ChannelReader<int> reader)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        return await reader.ReadAsync(timeout.Token);
    }

    /// <summary>Whether the process exists and is not a zombie (a killed child waits as a zombie until it is reaped).</summary>
    private static bool IsAlive(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        return state is not ("Z" or "X");
    }
}
