using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Modelhost.Tests;

/// <summary>Shutdown is honest with clients: a request cut off by SIGTERM is answered 503 or closed, never blamed with a 4xx.</summary>
[Trait("Category", "Reliability")]
public sealed class ShutdownDuringUploadTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "modelhost-cli-tests", Guid.NewGuid().ToString("N"));

    public ShutdownDuringUploadTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "models", "iris", "1"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx"), Path.Combine(_root, "models", "iris", "1", "model.onnx"));
        File.WriteAllText(Path.Combine(_root, "models", "iris", "model.yaml"), "default: true\nfeatures: [sepal_length, sepal_width, petal_length, petal_width]\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Sigterm_during_large_uploads_never_answers_them_with_a_client_error()
    {
        var config = Path.Combine(_root, "modelhost.yaml");
        await File.WriteAllTextAsync(config, "shutdown_timeout_seconds: 1\njobs: {enabled: false}\n");
        var port = FreePort();
        using var process = CliProcess.Start("serve", "--models", Path.Combine(_root, "models"), "--urls", $"http://127.0.0.1:{port}", "--config", config);
        await process.WaitForOutputAsync("Now listening", TimeSpan.FromSeconds(60));

        // Each route twice: with a Content-Length, and chunked (where only the last chunk says the body is complete).
        var routes = new[] { "/v2/models/iris/infer", "/predict", "/v1/models/iris:predict" };
        var sockets = new List<(Socket Socket, bool Chunked)>();
        foreach (var route in routes)
        {
            foreach (var chunked in new[] { false, true })
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                var head = $"POST {route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: 40000000\r\n\r\n");
                await socket.SendAsync(Encoding.ASCII.GetBytes(head));
                await socket.SendAsync(Frame("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1000000,4],\"data\":[" + string.Concat(Enumerable.Repeat("1.0,", 20_000)), chunked));
                sockets.Add((socket, chunked));
            }
        }

        // The clients keep uploading while the server stops, as a slow network would.
        using var stop = new CancellationTokenSource();
        var uploads = sockets.Select(s => Task.Run(async () =>
        {
            var (socket, chunked) = s;
            var chunk = Frame(string.Concat(Enumerable.Repeat("1.0,", 5_000)), chunked);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await socket.SendAsync(chunk, SocketFlags.None, stop.Token);
                    await Task.Delay(20, stop.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server closed the connection, or the test is over.
            }
        })).ToList();

        Assert.Equal(0, Kill(process.Pid, 15));
        foreach (var (socket, _) in sockets)
        {
            var answer = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(30));
            var status = answer.Length >= 12 ? answer[9..12] : "(closed)";
            Assert.False(status.StartsWith('4'), $"a request cut off by shutdown was answered {status}: {answer}");
            socket.Dispose();
        }

        await stop.CancelAsync();
        await Task.WhenAll(uploads);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static byte[] Frame(string text, bool chunked) =>
        Encoding.ASCII.GetBytes(chunked ? $"{text.Length:x}\r\n{text}\r\n" : text);

    private static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[8192];
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // A reset closes the connection without an answer, which is allowed.
        }

        return text.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
