using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Configuration;
using Modelhost.Server.Http;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Vision;

namespace Modelhost.Server.Tests.Limits;

/// <summary>limits.image_memory_bytes and limits.max_concurrent_decodes: image requests wait for room, or get 503.</summary>
public sealed class ImageBudgetTests : IDisposable
{
    private readonly TempRepository _repository = new TempRepository().AddDetector("face-front");

    public void Dispose() => _repository.Dispose();

    private static string Body(int width, int height) =>
        "{\"requests\":[{\"image\":{\"content\":\"" + Convert.ToBase64String(PngEncoder.Encode(new RgbImage(width, height))) + "\"}}]}";

    [Fact]
    public async Task A_reservation_over_the_free_budget_waits_until_room_comes()
    {
        var budget = new ImageBudget(new LimitsOptions { ImageMemoryBytes = 1000, ImageWait = TimeSpan.FromSeconds(30) }, TimeProvider.System);
        var first = await budget.ReserveAsync(800, 1, 1, CancellationToken.None);
        var second = budget.ReserveAsync(400, 1, 1, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(800, budget.InUse);

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(400, budget.InUse);
    }

    [Fact]
    public async Task A_reservation_that_finds_no_room_in_time_is_503_with_Retry_After_and_gives_nothing_away()
    {
        var budget = new ImageBudget(new LimitsOptions { ImageMemoryBytes = 1000, ImageWait = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);
        using var held = await budget.ReserveAsync(1000, 1, 1, CancellationToken.None);
        var busy = await Assert.ThrowsAsync<HttpError>(async () => await budget.ReserveAsync(1, 1, 1, CancellationToken.None));
        Assert.Equal(503, busy.StatusCode);
        Assert.NotNull(busy.RetryAfter);
        Assert.Contains("limits.image_memory_bytes", busy.Message, StringComparison.Ordinal);
        Assert.Equal(1000, budget.InUse);
    }

    [Fact]
    public async Task Decodes_past_the_concurrency_limit_wait_then_get_503()
    {
        var budget = new ImageBudget(new LimitsOptions { MaxConcurrentDecodes = 1, ImageWait = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);
        using (await budget.DecodeSlotAsync(CancellationToken.None))
        {
            var busy = await Assert.ThrowsAsync<HttpError>(async () => await budget.DecodeSlotAsync(CancellationToken.None));
            Assert.Equal(503, busy.StatusCode);
            Assert.Contains("limits.max_concurrent_decodes", busy.Message, StringComparison.Ordinal);
        }

        using var free = await budget.DecodeSlotAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_image_larger_than_the_whole_budget_is_413_in_its_slot_naming_the_key()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options => options.Limits.ImageMemoryBytes = 1024 * 1024);

        // 1024 x 1024 pixels take 4 MiB decoded: more than the whole budget, however long it waits.
        var json = await server.PostJsonOkAsync("/v1/vision/face-front:detect", Body(1024, 1024));
        var error = json.GetProperty("responses")[0].GetProperty("error");
        Assert.Equal(413, error.GetProperty("code").GetInt32());
        Assert.Contains("limits.image_memory_bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // An image within the budget is served.
        var small = await server.PostJsonOkAsync("/v1/vision/face-front:detect", Body(256, 256));
        Assert.Equal(JsonValueKind.Array, small.GetProperty("responses")[0].GetProperty("detections").ValueKind);
    }

    [Fact]
    public async Task An_image_request_over_the_budget_gets_503_with_Retry_After_and_is_served_once_room_comes()
    {
        await using var server = await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Limits.ImageMemoryBytes = 4 * 1024 * 1024;
            options.Limits.ImageWait = TimeSpan.FromMilliseconds(200);
        });
        var budget = server.Services.GetRequiredService<ImageBudget>();
        var held = await budget.ReserveAsync(budget.Capacity, 1, 1, CancellationToken.None);
        using (var busy = await server.PostJsonAsync("/v1/vision/face-front:detect", Body(256, 256)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.True(busy.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Contains("limits.image_memory_bytes", await RunningServer.ErrorOf(busy), StringComparison.Ordinal);
        }

        held.Dispose();
        var served = await server.PostJsonOkAsync("/v1/vision/face-front:detect", Body(256, 256));
        Assert.Equal(JsonValueKind.Array, served.GetProperty("responses")[0].GetProperty("detections").ValueKind);
        Assert.Equal(0, budget.InUse);
    }
}
