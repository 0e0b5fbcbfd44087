using System.Net;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Limits;

/// <summary>
/// Issue 12, fault 2: a flood of idle connections past limits.max_connections leaves the clients already connected
/// served, the server up and the models loaded, and new clients are served once the flood is gone.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ConnectionFloodTests : IDisposable
{
    private const int Limit = 64;
    private const int Flood = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempRepository _repository = new TempRepository().AddIris();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task A_flood_of_idle_connections_past_the_limit_leaves_existing_clients_served_and_models_loaded()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.MaxConnections = Limit;

            // The repository is polled all through the flood: a poll that cannot read must not unload anything.
            options.Repository.PollInterval = TimeSpan.FromMilliseconds(200);
        });

        // One keep-alive connection, opened before the flood and reused for every request below.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var existing = new HttpClient(handler) { BaseAddress = server.Address, Timeout = Patience };
        await AssertServedAsync(existing);

        var flood = new List<RawConnection>();
        try
        {
            for (var i = 0; i < Flood; i++)
            {
                flood.Add(await RawConnection.OpenAsync(server.Address));
            }

            // Kestrel accepts and holds connections up to the limit and closes the rest; either way, the existing
            // client keeps its connection and is answered while the flood is open.
            for (var round = 0; round < 5; round++)
            {
                await AssertServedAsync(existing);
            }
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }

        // Once the server has noticed the closes, a new client is served.
        var deadline = DateTime.UtcNow + Patience;
        HttpStatusCode? status = null;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            using var fresh = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await fresh.GetAsync("/v2/health/ready");
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        await AssertServedAsync(existing);
    }

    private static async Task AssertServedAsync(HttpClient client)
    {
        using (var ready = await client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using var index = await client.PostAsync("/v2/repository/index", RunningServer.Json("{}"));
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        using var models = JsonDocument.Parse(await index.Content.ReadAsStringAsync());
        var iris = models.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "iris");
        Assert.Equal("READY", iris.GetProperty("state").GetString());

        using var predict = await client.PostAsync("/v2/models/iris/infer", RunningServer.Json(
            """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"""));
        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
    }
}
