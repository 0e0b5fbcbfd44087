using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Limits;

/// <summary>One server with small limits on every route kind, jobs on, a detector and the iris model.</summary>
public sealed class SmallLimitsServer : IAsyncLifetime
{
    private readonly TempRepository _repository = new TempRepository().AddIris().AddDetector("face-front");
    private readonly string _data = Path.Combine(Path.GetTempPath(), "modelhost-limits-" + Guid.NewGuid().ToString("N"));

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        Server = await RunningServer.StartWithJobsAsync(_repository.Root, _data, configure: options =>
        {
            options.Limits.JsonInferBytes = 4096;
            options.Limits.BinaryInferBytes = 8192;
            options.Limits.ImageBytes = 16384;
            options.Limits.JobBytes = 2048;
            options.Limits.MaxRequestHeaderBytes = 4096;
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _repository.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
