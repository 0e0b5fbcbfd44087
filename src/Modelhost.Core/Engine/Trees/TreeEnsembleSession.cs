using System.Globalization;
using System.Text;
using Modelhost.Core.Tensors;
using Modelhost.Onnx.Reading;

namespace Modelhost.Core.Engine.Trees;

/// <summary>An <see cref="IEngineSession"/> that evaluates a tree-ensemble model natively (see <see cref="TreeEnsemble{T}"/>).</summary>
internal sealed class TreeEnsembleSession : IEngineSession
{
    private readonly TreeEnsemble<float>? _float;
    private readonly TreeEnsemble<double>? _double;
    private readonly string _inputName;
    private readonly Dictionary<string, int> _outputSources = new(StringComparer.Ordinal);
    private readonly byte[][]? _stringLabels;
    private readonly int _parallelism;
    private readonly int _targets;
    private readonly int _maxFeature;
    private readonly bool _classifier;

    private TreeEnsembleSession(TreeEnsembleDefinition definition, TreeEnsemble<float>? single, TreeEnsemble<double>? wide, int parallelism)
    {
        _float = single;
        _double = wide;
        _parallelism = parallelism;
        _inputName = definition.Input.Name;
        _classifier = definition.IsClassifier;
        _targets = single?.Targets ?? wide!.Targets;
        _maxFeature = single?.MaxFeature ?? wide!.MaxFeature;
        TreeCount = single?.TreeCount ?? wide!.TreeCount;
        if (definition.ClassLabelsStrings.Length > 0)
        {
            _stringLabels = Array.ConvertAll(definition.ClassLabelsStrings, Encoding.UTF8.GetBytes);
        }

        var inputType = definition.InputType == Onnx.OnnxDataType.Double ? TensorElementType.Double : TensorElementType.Float;
        Inputs = Array.AsReadOnly([Describe(definition.Input, inputType, [-1, -1])]);
        var outputs = new NodeInfo[definition.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = definition.Outputs[i];
            _outputSources[output.Name] = output.OperatorOutput;
            outputs[i] = output.OperatorOutput == 0 && _classifier
                ? Describe(output, _stringLabels is null ? TensorElementType.Int64 : TensorElementType.String, [-1])
                : Describe(output, TensorElementType.Float, [-1, _targets]);
        }

        Outputs = Array.AsReadOnly(outputs);
    }

    public IReadOnlyList<NodeInfo> Inputs { get; }

    public IReadOnlyList<NodeInfo> Outputs { get; }

    /// <summary>How many trees the ensemble has.</summary>
    public int TreeCount { get; }

    /// <summary>Whether the trees are evaluated QuickScorer-style rather than walked.</summary>
    public bool UsesQuickScorer => _float?.UsesQuickScorer ?? _double!.UsesQuickScorer;

    /// <summary>Compiles the ensemble, or says why this engine does not run it.</summary>
    /// <param name="definition">The ensemble, as <see cref="TreeEnsembleReader"/> read it.</param>
    /// <param name="parallelism">The degree of parallelism ONNX Runtime would run the model with, which fixes its summation order.</param>
    /// <param name="reason">Why not, when the result is null.</param>
    public static TreeEnsembleSession? Create(TreeEnsembleDefinition definition, int parallelism, out string reason)
    {
        ArgumentNullException.ThrowIfNull(definition);
        foreach (var output in definition.Outputs)
        {
            if (output.OperatorOutput > (definition.IsClassifier ? 1 : 0))
            {
                reason = $"output '{output.Name}' is not an output of the ensemble";
                return null;
            }
        }

        if (definition.IsOpset5 && definition.InputType == Onnx.OnnxDataType.Double)
        {
            reason = "an opset-5 TreeEnsemble over double input answers in double, which this engine does not produce yet";
            return null;
        }

        if (definition.InputType == Onnx.OnnxDataType.Double)
        {
            var layout = TreeEnsembleLayout<double>.Create(definition, out reason);
            return layout is null ? null : new TreeEnsembleSession(definition, null, new TreeEnsemble<double>(layout), parallelism);
        }

        var floats = TreeEnsembleLayout<float>.Create(definition, out reason);
        return floats is null ? null : new TreeEnsembleSession(definition, new TreeEnsemble<float>(floats), null, parallelism);
    }

    public EngineValue[] Run(string[] inputNames, EngineValue[] inputs, string[] outputNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (inputNames.Length != inputs.Length)
        {
            throw new ArgumentException($"{inputNames.Length} input names were given for {inputs.Length} inputs.", nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (inputs.Length != 1 || inputNames[0] != _inputName)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"the model has one input, '{_inputName}'");
        }

        var input = inputs[0] ?? throw new ArgumentException("The input at index 0 is null.", nameof(inputs));
        var shape = input.Shape;
        var wanted = _double is null ? TensorElementType.Float : TensorElementType.Double;
        if (!input.IsTensor || input.ElementType != wanted || shape.Length is < 1 or > 2)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"input '{_inputName}' must be a tensor of {wanted} with 1 or 2 dimensions");
        }

        var rows = checked((int)(shape.Length == 1 ? 1 : shape[0]));
        var stride = checked((int)(shape.Length == 1 ? shape[0] : shape[1]));
        if (_maxFeature >= stride)
        {
            throw new EngineException(
                EngineErrorKind.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"One path in the graph requests feature {_maxFeature} but input tensor has {stride} features."));
        }

        var scores = new float[rows * _targets];
        var labels = _classifier ? new long[rows] : [];
        if (_double is not null)
        {
            _double.Evaluate(input.GetTensorData<double>(), rows, stride, scores, labels, _parallelism);
        }
        else
        {
            _float!.Evaluate(input.GetTensorData<float>(), rows, stride, scores, labels, _parallelism);
        }

        var results = new EngineValue[outputNames.Length];
        for (var i = 0; i < results.Length; i++)
        {
            if (!_outputSources.TryGetValue(outputNames[i], out var source))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"the model has no output '{outputNames[i]}'");
            }

            results[i] = source == 1 || !_classifier
                ? new ManagedTensorValue<float>(TensorElementType.Float, scores, [rows, _targets])
                : Labels(labels, rows);
        }

        return results;
    }

    public void Dispose()
    {
    }

    private EngineValue Labels(long[] labels, int rows)
    {
        if (_stringLabels is null)
        {
            return new ManagedTensorValue<long>(TensorElementType.Int64, labels, [rows]);
        }

        var strings = new byte[rows][];
        for (var i = 0; i < rows; i++)
        {
            strings[i] = _stringLabels[labels[i]];
        }

        return new ManagedStringValue(strings, [rows]);
    }

    private static NodeInfo Describe(TreeEnsembleValue value, TensorElementType type, long[] fallback) =>
        value.Dims is { } dims
            ? new NodeInfo(value.Name, NodeValueKind.Tensor, type, dims, value.DimNames!)
            : new NodeInfo(value.Name, NodeValueKind.Tensor, type, fallback, new string[fallback.Length]);
}
