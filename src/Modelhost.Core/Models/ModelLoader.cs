using System.Globalization;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.Trees;
using Modelhost.Core.Inference;
using Modelhost.Core.Repository;
using Modelhost.Core.Telemetry;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Models;

/// <summary>
/// Turns a version directory into a <see cref="LoadedModel"/>: reads the file, creates the session, checks the
/// config against the model's signature, and runs the warmup. Every failure becomes a reason, never a throw.
/// </summary>
internal sealed partial class ModelLoader
{
    private const string ModelFileName = "model.onnx";
    private readonly ModelRepositoryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CoreMetrics _metrics;

    public ModelLoader(ModelRepositoryOptions options, TimeProvider timeProvider, ILogger logger, CoreMetrics metrics)
    {
        _metrics = metrics;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task<(LoadedModel? Model, string? Error)> LoadAsync(string name, VersionDirectory directory, ModelConfig config, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var start = _timeProvider.GetTimestamp();
                var loaded = Load(name, directory, config);
                var model = new KeyValuePair<string, object?>("model", name);
                _metrics.LoadDuration.Record(_timeProvider.GetElapsedTime(start).TotalSeconds, model);
                if (loaded.Error is not null)
                {
                    _metrics.LoadFailures.Add(1, model);
                }

                return loaded;
            },
            cancellationToken);

    private (LoadedModel? Model, string? Error) Load(string name, VersionDirectory directory, ModelConfig config)
    {
        var path = Path.Combine(directory.Path, ModelFileName);
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > _options.MaxModelBytes)
            {
                return (null, $"{ModelFileName} is {length} bytes, more than the limit of {_options.MaxModelBytes}");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            return (null, $"cannot read {ModelFileName}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return (null, $"cannot read {ModelFileName}: {ex.Message}");
        }

        var sessionOptions = SessionOptionsFor(config.Session);
        IEngineSession? session = null;
        var engine = _options.Engine;
        if (config.Engine != EngineChoice.OnnxRuntime && (config.Engine == EngineChoice.Trees || OnCpuOnly(sessionOptions)))
        {
            try
            {
                session = TreeEnsembleEngine.Instance.CreateSession(bytes, sessionOptions);
                engine = TreeEnsembleEngine.Instance;
                Log.EngineChosen(_logger, name, directory.Version, engine.Name, config.Engine.ToString().ToLowerInvariant(), "the graph is a tree ensemble it runs natively");
            }
            catch (EngineException ex) when (config.Engine == EngineChoice.Trees)
            {
                return (null, $"engine: trees cannot run {ModelFileName}: {ex.Message}");
            }
            catch (EngineException ex)
            {
                Log.EngineChosen(_logger, name, directory.Version, engine.Name, "auto", ex.Message);
            }
        }

        try
        {
            session ??= engine.CreateSession(bytes, sessionOptions);
        }
        catch (EngineException ex) when (ex.Kind == EngineErrorKind.ProviderUnavailable)
        {
            // The message names the provider and what is missing; the version goes UNAVAILABLE, the others keep serving.
            return (null, ex.Message);
        }
        catch (EngineException ex)
        {
            return (null, $"{engine.Name} cannot load {ModelFileName}: {ex.Message}");
        }
        catch (EngineLibraryException ex)
        {
            return (null, ex.Message);
        }

        LoadedModel? model = null;
        try
        {
            var signature = new ModelSignature(session.Inputs, session.Outputs);
            if (Check(signature, config) is { } problem)
            {
                session.Dispose();
                return (null, problem);
            }

            var maxBatchSize = config.MaxBatchSize ?? 0;
            model = new LoadedModel(name, directory.Version, config, engine, session, signature, maxBatchSize, _timeProvider, _logger, _metrics);
            for (var i = 0; i < config.Warmup; i++)
            {
                using var request = ZeroRequest(signature);
                using var result = model.RunDirect(request);
            }

            return (model, null);
        }
        catch (Exception ex) when (ex is EngineException or InferenceException or ArgumentException)
        {
            if (model is not null)
            {
                _ = model.RetireAsync();
            }
            else
            {
                session.Dispose();
            }

            return (null, $"warmup failed: {ex.Message}");
        }
    }

    /// <summary>Whether the session runs on the CPU alone; a model meant for a device stays on ONNX Runtime under <c>auto</c>.</summary>
    private static bool OnCpuOnly(EngineSessionOptions options)
    {
        foreach (var provider in options.ExecutionProviders)
        {
            if (provider.Kind != ExecutionProviderKind.Cpu)
            {
                return false;
            }
        }

        return true;
    }

    private static string? Check(ModelSignature signature, ModelConfig config)
    {
        foreach (var input in signature.Inputs)
        {
            if (input.Kind != NodeValueKind.Tensor)
            {
                return $"input '{input.Name}' is a {input.Kind.ToString().ToLowerInvariant()}; only tensor inputs are served";
            }
        }

        foreach (var output in signature.Outputs)
        {
            if (output.Kind != NodeValueKind.Tensor)
            {
                return $"output '{output.Name}' is a {output.Kind.ToString().ToLowerInvariant()}; only tensor outputs are served (for scikit-learn classifiers, convert with zipmap=False)";
            }
        }

        if (config.MaxBatchSize > 0 && !signature.SupportsBatching)
        {
            return "max_batch_size is above 0, but not every input has a dynamic first dimension to batch along";
        }

        if (config.Features.Count > 0)
        {
            if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Length != 2)
            {
                return "features needs a model with one input of shape [batch, features]";
            }

            var width = signature.Inputs[0].Shape[1];
            if (width >= 0 && width != config.Features.Count)
            {
                return string.Create(CultureInfo.InvariantCulture, $"features lists {config.Features.Count} names, but input '{signature.Inputs[0].Name}' has {width} columns");
            }
        }

        return null;
    }

    private static InferenceRequest ZeroRequest(ModelSignature signature)
    {
        var request = new InferenceRequest();
        foreach (var input in signature.Inputs)
        {
            var shape = new long[input.Shape.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = input.Shape[i] < 0 ? 1 : input.Shape[i];
            }

            if (input.ElementType == TensorElementType.String)
            {
                var strings = new ReadOnlyMemory<byte>[TensorShape.ElementCount(shape)];
                request.Inputs.Add(InputTensor.FromStrings(input.Name, shape, strings));
            }
            else
            {
                request.Inputs.Add(InputTensor.Allocate(input.Name, input.ElementType, shape));
            }
        }

        return request;
    }

    private EngineSessionOptions SessionOptionsFor(SessionConfig session) => new()
    {
        IntraOpThreads = session.IntraOpThreads ?? _options.IntraOpThreads,
        InterOpThreads = session.InterOpThreads ?? _options.InterOpThreads,
        OptimizationLevel = session.GraphOptimizationLevel ?? _options.OptimizationLevel,
        AllowSpinning = _options.AllowSpinning,
        ExecutionProviders = session.ExecutionProviders ?? _options.ExecutionProviders,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1120, Level = LogLevel.Information, Message = "{Model} version {Version} runs on {Engine} (engine: {Choice}): {Why}")]
        public static partial void EngineChosen(ILogger logger, string model, long version, string engine, string choice, string why);
    }
}
