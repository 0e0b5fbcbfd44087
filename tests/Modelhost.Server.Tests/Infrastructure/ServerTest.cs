namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>A test class that shares one running server over one temporary repository.</summary>
public abstract class ServerTest : IAsyncLifetime
{
    private readonly TempRepository _repository;
    private readonly Action<ServerOptions>? _configure;
    private RunningServer? _server;

    protected ServerTest(TempRepository repository, Action<ServerOptions>? configure = null)
    {
        _repository = repository;
        _configure = configure;
    }

    protected RunningServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(_repository.Root, _configure);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository.Dispose();
    }
}
