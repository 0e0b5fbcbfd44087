using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Tests.Engine;

public sealed class OnnxRuntimeSessionTests
{
    private static readonly string[] Outputs = ["label", "probabilities"];

    [Fact]
    public void Iris_session_describes_its_inputs_and_outputs_with_a_dynamic_batch_dimension()
    {
        using IEngineSession session = IrisFixture.CreateSession();

        NodeInfo input = Assert.Single(session.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal(NodeValueKind.Tensor, input.Kind);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal(["N", ""], input.SymbolicDimensions);

        Assert.Equal(2, session.Outputs.Count);
        NodeInfo label = session.Outputs[0];
        Assert.Equal("label", label.Name);
        Assert.Equal(NodeValueKind.Tensor, label.Kind);
        Assert.Equal(TensorElementType.Int64, label.ElementType);
        Assert.Equal([-1L], label.Shape);
        Assert.Equal(["N"], label.SymbolicDimensions);

        NodeInfo probabilities = session.Outputs[1];
        Assert.Equal("probabilities", probabilities.Name);
        Assert.Equal(TensorElementType.Float, probabilities.ElementType);
        Assert.Equal([-1L, 3L], probabilities.Shape);
    }

    [Fact]
    public void Run_returns_sklearn_labels_and_probabilities_for_all_150_iris_rows_in_one_batch()
    {
        IrisFixture.Reference expected = IrisFixture.Expected;
        int rows = expected.X.Length;
        Assert.Equal(150, rows);
        float[] batch = new float[rows * 4];
        for (int i = 0; i < rows; i++)
        {
            expected.X[i].CopyTo(batch, i * 4);
        }

        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(batch, [rows, 4]);
        EngineValue[] results = session.Run(["input"], [input], Outputs);
        try
        {
            Assert.Equal([(long)rows], results[0].Shape);
            Assert.Equal(expected.Labels, results[0].GetTensorData<long>().ToArray());

            Assert.Equal([(long)rows, 3L], results[1].Shape);
            ReadOnlySpan<float> probabilities = results[1].GetTensorData<float>();
            for (int i = 0; i < rows; i++)
            {
                AssertProbabilities(i, probabilities.Slice(i * 3, 3));
            }
        }
        finally
        {
            DisposeAll(results);
        }
    }

    [Fact]
    public void Run_on_each_iris_row_alone_gives_the_sklearn_label_and_exactly_the_batch_result()
    {
        IrisFixture.Reference expected = IrisFixture.Expected;
        using IEngineSession session = IrisFixture.CreateSession();
        float[] batch = expected.X.SelectMany(row => row).ToArray();
        using EngineValue batchInput = OnnxRuntimeEngine.Instance.CreateTensor<float>(batch, [expected.X.Length, 4]);
        EngineValue[] batchResults = session.Run(["input"], [batchInput], Outputs);
        try
        {
            ReadOnlySpan<float> batchProbabilities = batchResults[1].GetTensorData<float>();
            for (int i = 0; i < expected.X.Length; i++)
            {
                using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(expected.X[i], [1, 4]);
                EngineValue[] results = session.Run(["input"], [input], Outputs);
                try
                {
                    Assert.Equal(expected.Labels[i], Assert.Single(results[0].GetTensorData<long>().ToArray()));
                    ReadOnlySpan<float> probabilities = results[1].GetTensorData<float>();
                    Assert.Equal(batchProbabilities.Slice(i * 3, 3).ToArray(), probabilities.ToArray());
                    AssertProbabilities(i, probabilities);
                }
                finally
                {
                    DisposeAll(results);
                }
            }
        }
        finally
        {
            DisposeAll(batchResults);
        }
    }

    [Fact]
    public async Task Run_is_safe_to_call_from_several_threads_on_one_session()
    {
        IrisFixture.Reference expected = IrisFixture.Expected;
        using IEngineSession session = IrisFixture.CreateSession();

        Task[] workers = new Task[4];
        for (int w = 0; w < workers.Length; w++)
        {
            int offset = w;
            workers[w] = Task.Run(() =>
            {
                for (int i = offset; i < expected.X.Length; i += workers.Length)
                {
                    using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(expected.X[i], [1, 4]);
                    EngineValue[] results = session.Run(["input"], [input], ["label"]);
                    Assert.Equal(expected.Labels[i], results[0].GetTensorData<long>()[0]);
                    DisposeAll(results);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    [Fact]
    public void Run_returns_only_the_outputs_asked_for_in_the_order_asked()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(IrisFixture.Expected.X[0], [1, 4]);

        EngineValue[] results = session.Run(["input"], [input], ["probabilities", "label"]);
        try
        {
            Assert.Equal(2, results.Length);
            Assert.Equal(TensorElementType.Float, results[0].ElementType);
            Assert.Equal(TensorElementType.Int64, results[1].ElementType);
        }
        finally
        {
            DisposeAll(results);
        }
    }

    [Fact]
    public void Run_with_an_unknown_input_name_throws_EngineException_naming_it()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);

        EngineException e = Assert.Throws<EngineException>(() => session.Run(["features"], [input], Outputs));

        Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("features", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_an_unknown_output_name_throws_EngineException_naming_it()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);

        EngineException e = Assert.Throws<EngineException>(() => session.Run(["input"], [input], ["scores"]));

        Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("scores", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_the_wrong_shape_throws_EngineException()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[6], [2, 3]);

        EngineException e = Assert.Throws<EngineException>(() => session.Run(["input"], [input], Outputs));

        Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_the_wrong_element_type_throws_EngineException()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<double>(new double[4], [1, 4]);

        EngineException e = Assert.Throws<EngineException>(() => session.Run(["input"], [input], Outputs));

        Assert.Equal(EngineErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void Run_with_more_names_than_inputs_throws_ArgumentException()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);

        Assert.Throws<ArgumentException>(() => session.Run(["input", "other"], [input], Outputs));
    }

    [Fact]
    public void Run_with_an_already_cancelled_token_throws_OperationCanceledException()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        OperationCanceledException e = Assert.ThrowsAny<OperationCanceledException>(
            () => session.Run(["input"], [input], Outputs, cancellation.Token));

        Assert.Equal(cancellation.Token, e.CancellationToken);
    }

    [Fact]
    public void Cancelling_the_token_during_a_run_stops_it_and_throws_OperationCanceledException()
    {
        // 2000 MatMuls of 512x512 (about 0.5 TFLOP) take tens of seconds on one thread, so the run is still going when the
        // token fires, however fast or loaded the machine; ORT checks the terminate flag between nodes.
        const int Size = 512;
        using IEngineSession session = OnnxRuntimeEngine.Instance.CreateSession(
            SlowModel.Create(Size, matMulCount: 2000), new EngineSessionOptions { IntraOpThreads = 1, OptimizationLevel = OptimizationLevel.Disable });
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[Size * Size], [Size, Size]);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        OperationCanceledException e = Assert.ThrowsAny<OperationCanceledException>(
            () => session.Run(["x"], [input], ["y"], cancellation.Token));

        Assert.Equal(cancellation.Token, e.CancellationToken);
        Assert.IsType<EngineException>(e.InnerException);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The run took {clock.Elapsed} to stop.");
    }

    [Fact]
    public void Run_with_a_cancellable_token_that_is_not_cancelled_completes()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(IrisFixture.Expected.X[0], [1, 4]);
        using var cancellation = new CancellationTokenSource();

        EngineValue[] results = session.Run(["input"], [input], Outputs, cancellation.Token);

        Assert.Equal(IrisFixture.Expected.Labels[0], results[0].GetTensorData<long>()[0]);
        DisposeAll(results);
    }

    [Fact]
    public void Create_applies_every_session_option()
    {
        var options = new EngineSessionOptions
        {
            IntraOpThreads = 2,
            InterOpThreads = 1,
            OptimizationLevel = OptimizationLevel.Basic,
            AllowSpinning = true,
        };

        using IEngineSession session = OnnxRuntimeEngine.Instance.CreateSession(IrisFixture.ModelBytes, options);

        Assert.Single(session.Inputs);
    }

    [Fact]
    public void Session_options_default_to_full_optimization_without_spinning()
    {
        var options = new EngineSessionOptions();

        Assert.Equal(0, options.IntraOpThreads);
        Assert.Equal(0, options.InterOpThreads);
        Assert.Equal(OptimizationLevel.All, options.OptimizationLevel);
        Assert.False(options.AllowSpinning);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.IntraOpThreads = -1);
    }

    [Fact]
    public void Create_with_bytes_that_are_not_a_model_throws_EngineException_saying_so()
    {
        byte[] garbage = "this is not an onnx model"u8.ToArray();

        EngineException e = Assert.Throws<EngineException>(() => OnnxRuntimeEngine.Instance.CreateSession(garbage, new EngineSessionOptions()));

        Assert.Equal(EngineErrorKind.InvalidModel, e.Kind);
        Assert.Contains("protobuf parsing failed", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Create_with_an_empty_model_throws_EngineException()
    {
        EngineException e = Assert.Throws<EngineException>(() => OnnxRuntimeEngine.Instance.CreateSession([], new EngineSessionOptions()));

        Assert.Equal(EngineErrorKind.InvalidModel, e.Kind);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Create_can_fail_many_times_in_a_row_without_leaking_or_crashing()
    {
        byte[] truncated = IrisFixture.ModelBytes.AsSpan(0, 1000).ToArray();
        for (int i = 0; i < 2000; i++)
        {
            Assert.Throws<EngineException>(() => OnnxRuntimeEngine.Instance.CreateSession(truncated, new EngineSessionOptions()));
        }
    }

    [Fact]
    public void Disposing_a_session_twice_is_safe_and_using_it_afterwards_throws_ObjectDisposedException()
    {
        IEngineSession session = IrisFixture.CreateSession();
        using EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);

        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(["input"], [input], Outputs));
        Assert.Single(session.Inputs);
    }

    [Fact]
    public void Run_with_a_disposed_input_throws_ObjectDisposedException()
    {
        using IEngineSession session = IrisFixture.CreateSession();
        EngineValue input = OnnxRuntimeEngine.Instance.CreateTensor<float>(new float[4], [1, 4]);
        input.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(["input"], [input], Outputs));
    }

    [Fact]
    public void Engine_is_ONNX_Runtime_from_the_pinned_package_with_the_cpu_provider()
    {
        Assert.Equal("ONNX Runtime", OnnxRuntimeEngine.Instance.Name);
        Assert.Equal("1.32.0", OnnxRuntimeEngine.Instance.Version);
        Assert.Contains("CPUExecutionProvider", OnnxRuntimeEngine.Instance.AvailableProviders);
    }

    /// <summary>
    /// Rows where the ONNX model itself disagrees with scikit-learn's predict_proba. The converter stored the forest's
    /// split thresholds as float32 (nodes_values), while scikit-learn compares against float64 thresholds, so a
    /// feature lying exactly on a rounded threshold goes the other way in some of the 300 trees (row 77, petal width
    /// 1.7, flips 80 of them). Evaluating the model's own trees by hand gives ORT's numbers exactly, so this is the
    /// model, not the binding. The labels still agree on every row.
    /// </summary>
    private static readonly HashSet<int> RowsWhereTheModelDisagreesWithSklearn = [8, 59, 63, 70, 76, 77, 78, 82, 92, 106, 126, 138];

    private static void AssertProbabilities(int row, ReadOnlySpan<float> actual)
    {
        float[] expected = IrisFixture.Expected.Probabilities[row];
        Assert.Equal(3, actual.Length);
        if (!RowsWhereTheModelDisagreesWithSklearn.Contains(row))
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(expected[c], actual[c], 1e-5f);
            }

            return;
        }

        // Keep the exception list honest: each listed row really differs, yet still sums to 1 and picks the label.
        float largestDifference = 0;
        int argMax = 0;
        for (int c = 0; c < 3; c++)
        {
            largestDifference = Math.Max(largestDifference, Math.Abs(expected[c] - actual[c]));
            argMax = actual[c] > actual[argMax] ? c : argMax;
        }

        Assert.True(largestDifference > 1e-5f, $"Row {row} now matches scikit-learn; remove it from the exception list.");
        Assert.Equal(1f, actual[0] + actual[1] + actual[2], 1e-5f);
        Assert.Equal(IrisFixture.Expected.Labels[row], argMax);
    }

    private static void DisposeAll(EngineValue[] values)
    {
        foreach (EngineValue value in values)
        {
            value.Dispose();
        }
    }
}
