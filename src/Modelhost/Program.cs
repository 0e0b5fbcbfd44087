using System.CommandLine;
using Modelhost.Commands;

var root = new RootCommand("Modelhost: serve ONNX models from a versioned repository over KServe V2, TF Serving REST and simple JSON routes.")
{
    ServeCommand.Create(),
    DetectCommand.Create(),
    JobsCommand.Create(),
    ForecastCommand.Create(),
    TrainCommand.Create(),
    DataCommand.Create(),
    TokenCommand.Create(TimeProvider.System),
    ProbeCommand.Create(),
};

// The host handles SIGTERM and Ctrl+C itself and drains requests in flight; System.CommandLine's own handler
// would end the process after two seconds.
// No command at all: the list of commands, as before the parse errors were reworded.
if (args.Length == 0)
{
    await root.Parse(["--help"]).InvokeAsync();
    return 1;
}

var parsed = root.Parse(args);
if (ParseErrors.Report(parsed, Console.Error) is var code and not 0)
{
    return code;
}

return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
