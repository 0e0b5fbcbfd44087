using System.CommandLine;
using Modelhost.Commands;

var root = new RootCommand("Modelhost: serve ONNX models from a versioned repository over KServe V2, TF Serving REST and simple JSON routes.")
{
    ServeCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
