using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Models;
using Modelhost.Core.Tests.Repository;

namespace Modelhost.Core.Tests.Engine;

/// <summary>
/// Execution providers on the machines the tests run on, which have no GPU: in the default (CPU) build CUDA is not in
/// ONNX Runtime at all, and in the GPU build (-p:ModelhostGpu=true) its libraries or device are missing. Either way,
/// asking for it must fail that one model's load with a message naming the provider and what is missing, never a crash
/// or a silent fall back to the CPU.
/// </summary>
public sealed class ExecutionProviderTests
{
    private static readonly ExecutionProviderConfig Cuda = new() { Kind = ExecutionProviderKind.Cuda };

    [Fact]
    public void The_build_has_the_cuda_provider_only_in_the_gpu_profile()
    {
#if MODELHOST_GPU
        Assert.Contains("CUDAExecutionProvider", OnnxRuntimeEngine.Instance.AvailableProviders);
#else
        Assert.DoesNotContain("CUDAExecutionProvider", OnnxRuntimeEngine.Instance.AvailableProviders);
#endif
    }

    [Fact]
    public void A_session_on_cpu_alone_loads_and_runs()
    {
        using var session = OnnxRuntimeEngine.Instance.CreateSession(IrisFixture.ModelBytes, new EngineSessionOptions { ExecutionProviders = [ExecutionProviderConfig.Cpu] });

        using var input = OnnxRuntimeEngine.Instance.CreateTensor<float>(IrisFixture.Expected.X[0], [1, 4]);
        var outputs = session.Run(["input"], [input], ["label"]);
        Assert.Equal(IrisFixture.Expected.Labels[0], outputs[0].GetTensorData<long>()[0]);
        outputs[0].Dispose();
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda,cpu")]
    [InlineData("cpu,cuda")]
    public void Load_fails_naming_the_provider_and_what_is_missing_when_cuda_cannot_run(string list)
    {
        if (HasGpu)
        {
            return;
        }

        var providers = list.Split(',').Select(n => n == "cuda" ? Cuda : ExecutionProviderConfig.Cpu).ToArray();

        var e = Assert.Throws<EngineException>(
            () => OnnxRuntimeEngine.Instance.CreateSession(IrisFixture.ModelBytes, new EngineSessionOptions { ExecutionProviders = providers }));

        Assert.Equal(EngineErrorKind.ProviderUnavailable, e.Kind);
        Assert.Contains("'cuda'", e.Message, StringComparison.Ordinal);
#if MODELHOST_GPU
        // ONNX Runtime's reason follows, e.g. "libcublasLt.so.13: cannot open shared object file" or "no CUDA-capable device".
        Assert.Contains("cannot be used on this machine", e.Message, StringComparison.Ordinal);
#else
        Assert.Contains("CPU only", e.Message, StringComparison.Ordinal);
        Assert.Contains("ModelhostGpu", e.Message, StringComparison.Ordinal);
#endif
    }

    [Fact]
    public async Task A_model_asking_for_cuda_goes_unavailable_naming_it_while_the_others_serve()
    {
        if (HasGpu)
        {
            return;
        }

        using var repository = new TempDirectory();
        repository.WriteFile("iris/1/model.onnx", IrisFixture.ModelBytes);
        repository.WriteFile("gpu/1/model.onnx", IrisFixture.ModelBytes);
        repository.WriteFile("gpu/model.yaml", "session: {execution_providers: [{name: cuda, device_id: 0}, cpu]}\n");

        await using var manager = await StartAsync(repository.Path, options => { });

        var gpu = Assert.Single(manager.GetStatus("gpu")!.Versions);
        Assert.Equal(ModelVersionState.Unavailable, gpu.State);
        Assert.Contains("execution provider 'cuda'", gpu.Reason, StringComparison.Ordinal);
        Assert.Equal(ModelVersionState.Ready, Assert.Single(manager.GetStatus("iris")!.Versions).State);
        using var lease = manager.Acquire("iris");
    }

    [Fact]
    public async Task The_server_default_applies_to_models_that_do_not_list_providers()
    {
        if (HasGpu)
        {
            return;
        }

        using var repository = new TempDirectory();
        repository.WriteFile("plain/1/model.onnx", IrisFixture.ModelBytes);
        repository.WriteFile("cpu/1/model.onnx", IrisFixture.ModelBytes);
        repository.WriteFile("cpu/model.yaml", "session: {execution_providers: [cpu]}\n");

        await using var manager = await StartAsync(repository.Path, options => options.ExecutionProviders = [Cuda]);

        var plain = Assert.Single(manager.GetStatus("plain")!.Versions);
        Assert.Equal(ModelVersionState.Unavailable, plain.State);
        Assert.Contains("'cuda'", plain.Reason, StringComparison.Ordinal);
        Assert.Equal(ModelVersionState.Ready, Assert.Single(manager.GetStatus("cpu")!.Versions).State);
    }

    // A GPU machine running the GPU build loads CUDA models: the failure paths cannot be seen there (bench/gpu/run.sh checks that side).
#if MODELHOST_GPU
    private static bool HasGpu => File.Exists("/dev/nvidia0");
#else
    private static bool HasGpu => false;
#endif

    private static async Task<ModelRepositoryManager> StartAsync(string root, Action<ModelRepositoryOptions> configure)
    {
        var options = new ModelRepositoryOptions { Root = root, IntraOpThreads = 1 };
        configure(options);
        var manager = new ModelRepositoryManager(options, TimeProvider.System, NullLoggerFactory.Instance);
        await manager.SyncAsync(CancellationToken.None);
        return manager;
    }
}
