using Modelhost.Bench.Ceiling;

// The HTTP ceiling for the seed request: everything a JSON endpoint must do (Kestrel, routing, reading and parsing
// the body, writing a response) and no model. Kestrel is set up as ModelhostServer.Build does it: the slim builder,
// loopback URLs, no Server header, the same body limit, the same console logging.
var urls = "http://127.0.0.1:8090";
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--urls")
    {
        urls = args[i + 1];
    }
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    ContentRootPath = AppContext.BaseDirectory,
    EnvironmentName = Environments.Production,
});
builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = 64L * 1024 * 1024;
});
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
app.UseRouting();

var result = "{\"result\":[2]}"u8.ToArray();
app.MapPost("/predict", async context =>
{
    var row = await context.Request.ReadFromJsonAsync(CeilingJsonContext.Default.IrisRow, context.RequestAborted);
    if (row is null)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    context.Response.ContentType = "application/json";
    context.Response.ContentLength = result.Length;
    await context.Response.Body.WriteAsync(result, context.RequestAborted);
});

await app.RunAsync();
