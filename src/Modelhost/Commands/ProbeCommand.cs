using System.CommandLine;
using System.Globalization;
using Modelhost.Server.Configuration;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost probe</c>: asks a running server whether it is ready and exits 0 when it is. The container image's
/// <c>HEALTHCHECK</c> runs it, since the image has no shell and no curl.
/// </summary>
internal static class ProbeCommand
{
    public const int ExitNotReady = 1;

    /// <summary>The route the probe asks by default: KServe V2's readiness.</summary>
    public const string ReadyPath = "/v2/health/ready";

    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = $"The URL to ask (default http://127.0.0.1:$PORT{ReadyPath}, port 8080 when PORT is not set)." };
        var timeout = new Option<double>("--timeout-seconds") { Description = "How long to wait for the answer.", DefaultValueFactory = _ => 2 };
        var command = new Command("probe", "Exit 0 when the server answers its readiness route with 2xx, 1 otherwise (a container health check).") { url, timeout };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(url), result.GetValue(timeout), cancellationToken));
        return command;
    }

    /// <summary>The URL asked when <c>--url</c> is not given: the readiness route on loopback, on <c>PORT</c> or 8080.</summary>
    internal static string DefaultUrl(string? port) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535 ? p : 8080)}{ReadyPath}");

    private static async Task<int> RunAsync(string? url, double timeoutSeconds, CancellationToken cancellationToken)
    {
        url ??= DefaultUrl(Environment.GetEnvironmentVariable(EnvironmentSettings.PortVariable));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await Console.Error.WriteLineAsync($"error: --url: expected an http or https URL, got '{url}'");
            return ServeCommand.ExitConfigError;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Clamp(timeoutSeconds, 0.1, 300)) };
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            var status = (int)response.StatusCode;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{uri}: {status}"));
            return response.IsSuccessStatusCode ? 0 : ExitNotReady;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{uri}: not ready: {ex.Message}");
            return ExitNotReady;
        }
    }
}
