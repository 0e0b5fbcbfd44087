using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modelhost.Server.Http;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Limits;

/// <summary>The limits that need a server of their own: rate, request timeout, connections, slow bodies.</summary>
public sealed class ServerLimitTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempRepository _repository = new TempRepository().AddIris();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Over_the_rate_a_client_gets_429_with_Retry_After_while_health_probes_stay_open()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.RatePerSecond = 0.01;
            options.Limits.RateBurst = 2;
        });
        for (var i = 0; i < 2; i++)
        {
            using var ok = await server.Client.GetAsync("/v2");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await server.Client.GetAsync("/v2");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 100);
        Assert.Contains("limits.rate_per_second", await RunningServer.ErrorOf(limited), StringComparison.Ordinal);

        foreach (var probe in new[] { "/v2/health/live", "/v2/health/ready", "/v2/health/live", "/v2/health/ready" })
        {
            using var health = await server.Client.GetAsync(probe);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public void The_partition_is_the_remote_address_for_anonymous_callers()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        Assert.Equal("address:192.0.2.7", RateLimiting.PartitionKey(context));

        var identity = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "ci")], "ApiKey");
        context.User = new System.Security.Claims.ClaimsPrincipal(identity);
        Assert.Equal("key:ci", RateLimiting.PartitionKey(context));
    }

    [Fact]
    public async Task The_socket_transport_reads_into_a_buffer_at_once_rather_than_waiting_for_data_first()
    {
        // Kestrel's default (a zero-byte receive before each read) doubled the receive calls per 4 KiB of body.
        await using var server = await RunningServer.StartAsync(_repository.Root);
        var sockets = server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        Assert.False(sockets.WaitForDataBeforeAllocatingBuffer);
    }

    [Fact]
    public async Task A_request_past_the_timeout_gets_504_naming_the_key()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.RequestTimeout = TimeSpan.FromSeconds(1);
            options.Limits.MinRequestBodyRateBytesPerSecond = 0;
        });
        using var connection = await RawConnection.OpenAsync(server.Address);

        // The body never comes, so the request waits until the timeout ends it.
        await connection.SendAsync("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
        var response = await connection.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(504, response.Status);
        Assert.Contains("limits.request_timeout_seconds", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_request_times_out_the_next_requests_are_served_within_their_own_time()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.RequestTimeout = TimeSpan.FromSeconds(1);
            options.Limits.MinRequestBodyRateBytesPerSecond = 0;
        });
        using (var connection = await RawConnection.OpenAsync(server.Address))
        {
            await connection.SendAsync("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
            Assert.Equal(504, (await connection.ReadResponseAsync())?.Status);
        }

        // The timers and tokens are reused from request to request: none may carry the timed-out request's cancellation.
        for (var i = 0; i < 50; i++)
        {
            using var response = await server.Client.PostAsync("/predict", RunningServer.Json("""{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_routes_exempt_from_the_timeout_exist()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root);
        var patterns = server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText)
            .ToHashSet();
        Assert.All(RequestTimeouts.ExemptRoutes, route => Assert.Contains(route, patterns));
    }

    [Fact]
    public async Task Past_max_connections_a_new_connection_is_not_served_until_one_closes()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options => options.Limits.MaxConnections = 4);
        var open = new List<RawConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var connection = await RawConnection.OpenAsync(server.Address);
                open.Add(connection);
                Assert.Equal(200, (await GetAsync(connection, "/v2/health/live"))?.Status);
            }

            using (var fifth = await RawConnection.OpenAsync(server.Address))
            {
                Assert.Null(await GetAsync(fifth, "/v2/health/live"));
            }

            open[0].Dispose();
            open.RemoveAt(0);

            // The server notices the close on its own time; a new connection is served once it has.
            var deadline = DateTime.UtcNow + Patience;
            RawResponse? served = null;
            while (served is null && DateTime.UtcNow < deadline)
            {
                using var again = await RawConnection.OpenAsync(server.Address);
                served = await GetAsync(again, "/v2/health/live");
                if (served is null)
                {
                    await Task.Delay(50);
                }
            }

            Assert.Equal(200, served?.Status);
            foreach (var connection in open)
            {
                Assert.Equal(200, (await GetAsync(connection, "/v2/health/live"))?.Status);
            }
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_is_cut_off()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.MinRequestBodyRateBytesPerSecond = 10_000;
            options.Limits.MinRequestBodyRateGrace = TimeSpan.FromSeconds(1.5);
            options.Limits.RequestTimeout = TimeSpan.Zero;
        });
        using var connection = await RawConnection.OpenAsync(server.Address);
        await connection.SendAsync("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":");
        var response = await connection.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(408, response.Status);
    }

    private static async Task<RawResponse?> GetAsync(RawConnection connection, string path)
    {
        try
        {
            await connection.SendAsync(RawConnection.Get(path));
        }
        catch (IOException)
        {
            return null;
        }

        return await connection.ReadResponseAsync();
    }
}
