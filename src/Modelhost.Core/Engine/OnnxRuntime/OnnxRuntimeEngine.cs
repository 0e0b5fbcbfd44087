using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Modelhost.Core.Tensors;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>
/// The <see cref="IInferenceEngine"/> over ONNX Runtime's official package (<c>Microsoft.ML.OnnxRuntime</c>, or its
/// CUDA build in a GPU build of Modelhost). This folder is the only place in Modelhost that names ONNX Runtime's types.
/// </summary>
/// <remarks>
/// ORT has one environment per process; it is created on first use, after <c>MODELHOST_ONNXRUNTIME</c> is applied,
/// with error-level logging (warnings such as "removing an unused initializer" are about the model, not the server).
/// </remarks>
public sealed unsafe class OnnxRuntimeEngine : IInferenceEngine
{
    private static readonly Lock _initLock = new();
    private static string[]? _availableProviders;
    private static EngineLibraryException? _initError;

    private OnnxRuntimeEngine()
    {
    }

    /// <summary>The engine; there is one per process, as there is one ONNX Runtime environment.</summary>
    public static OnnxRuntimeEngine Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "ONNX Runtime";

    /// <inheritdoc/>
    public string Version
    {
        get
        {
            EnsureEnvironment();
            return OrtEnv.Instance().GetVersionString();
        }
    }

    /// <summary>ORT's names of the execution providers in this build, e.g. CUDAExecutionProvider and CPUExecutionProvider.</summary>
    /// <exception cref="EngineLibraryException">The native library could not be loaded.</exception>
    public IReadOnlyList<string> AvailableProviders => EnsureEnvironment();

    /// <inheritdoc/>
    public IEngineSession CreateSession(byte[] model, EngineSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var available = EnsureEnvironment();
        using var native = OnnxRuntimeSessionOptions.Create(options, available);
        InferenceSession session;
        try
        {
            session = new InferenceSession(model, native);
        }
        catch (OnnxRuntimeException ex) when (OnnxRuntimeSessionOptions.UsesDevice(options))
        {
            // With a GPU provider, a failure here is most often the device (no GPU, a driver too old, out of memory).
            var (_, message) = OnnxRuntimeErrors.Split(ex.Message);
            var names = string.Join(", ", options.ExecutionProviders.Select(p => p.Name));
            throw new EngineException(EngineErrorKind.ProviderUnavailable, $"cannot create a session on execution providers [{names}]: {message}", ex);
        }
        catch (OnnxRuntimeException ex)
        {
            throw OnnxRuntimeErrors.FromLoad(ex);
        }

        try
        {
            return new OnnxRuntimeSession(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public EngineValue CreateTensor(TensorElementType type, Memory<byte> bytes, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var elementSize = TensorDataTypes.ElementSize(type);
        if (elementSize == 0)
        {
            throw new ArgumentException("String tensors have no fixed-size buffer; use CreateStringTensor.", nameof(type));
        }

        var count = CountElements(shape);
        if (count > long.MaxValue / elementSize || count * elementSize != bytes.Length)
        {
            throw new ArgumentException(
                $"The shape {TensorShape.Format(shape)} holds {count} {type} elements of {elementSize} bytes, but the buffer has {bytes.Length} bytes.",
                nameof(bytes));
        }

        return CreateOverPinnedMemory(bytes.Pin(), bytes.Length, type, shape, count);
    }

    /// <inheritdoc/>
    public EngineValue CreateTensor<T>(Memory<T> data, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        var type = TensorDataTypes.ElementTypeOf<T>();
        var count = CountElements(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"The shape {TensorShape.Format(shape)} holds {count} elements, but the data has {data.Length}.", nameof(data));
        }

        return CreateOverPinnedMemory(data.Pin(), (long)data.Length * sizeof(T), type, shape, count);
    }

    /// <inheritdoc/>
    public EngineValue CreateStringTensor(IReadOnlyList<ReadOnlyMemory<byte>> values, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var count = CountElements(shape);
        if (count != values.Count)
        {
            throw new ArgumentException($"The shape {TensorShape.Format(shape)} holds {count} elements, but {values.Count} strings were given.", nameof(values));
        }

        EnsureEnvironment();
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            for (var i = 0; i < values.Count; i++)
            {
                // Explicit lengths, so embedded NULs survive; ORT copies the bytes into its own strings.
                value.StringTensorSetElementAt(values[i].Span, i);
            }
        }
        catch
        {
            value.Dispose();
            throw;
        }

        return new OnnxRuntimeValue(value, default, TensorElementType.String, shape, count);
    }

    private static EngineValue CreateOverPinnedMemory(MemoryHandle pin, long byteLength, TensorElementType type, long[] shape, long count)
    {
        OrtValue value;
        try
        {
            EnsureEnvironment();
            value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (OrtElementType)type, shape, (nint)pin.Pointer, byteLength);
        }
        catch (OnnxRuntimeException ex)
        {
            pin.Dispose();
            throw new ArgumentException(OnnxRuntimeErrors.Split(ex.Message).Message, nameof(shape), ex);
        }
        catch
        {
            pin.Dispose();
            throw;
        }

        // The value reads the pinned memory in place; the wrapper unpins it only after releasing the value.
        return new OnnxRuntimeValue(value, pin, type, shape, count);
    }

    /// <summary>The number of elements a shape holds; throws if a dimension is negative or the product overflows.</summary>
    private static long CountElements(long[] shape)
    {
        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            var dimension = shape[i];
            if (dimension < 0)
            {
                throw new ArgumentException(
                    $"Dimension {i} of the shape {TensorShape.Format(shape)} is negative; a tensor's shape must be concrete.", nameof(shape));
            }

            if (dimension != 0 && count > long.MaxValue / dimension)
            {
                throw new ArgumentException($"The shape {TensorShape.Format(shape)} holds more than {long.MaxValue} elements.", nameof(shape));
            }

            count *= dimension;
        }

        return count;
    }

    /// <summary>Creates ORT's environment once, with the library override applied first; returns the providers in this build.</summary>
    private static string[] EnsureEnvironment()
    {
        if (Volatile.Read(ref _availableProviders) is { } ready)
        {
            return ready;
        }

        lock (_initLock)
        {
            if (_availableProviders is { } existing)
            {
                return existing;
            }

            // A library that failed to load fails the same way every time; ORT's type initializer would not run again.
            if (_initError is { } failed)
            {
                throw new EngineLibraryException(failed.Message, failed);
            }

            try
            {
                OnnxRuntimeLibrary.ApplyOverride();
                var options = new EnvironmentCreationOptions { logId = "modelhost", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
                var environment = OrtEnv.CreateInstanceWithOptions(ref options);
                var providers = environment.GetAvailableProviders();
                Volatile.Write(ref _availableProviders, providers);
                return providers;
            }
            catch (EngineLibraryException ex)
            {
                _initError = ex;
                throw;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or OnnxRuntimeException)
            {
                var reason = (ex is TypeInitializationException { InnerException: { } inner } ? inner : ex).Message;
                _initError = new EngineLibraryException(
                    $"Could not load the ONNX Runtime library: {OnnxRuntimeErrors.OneLine(reason)} " +
                    $"Set the {OnnxRuntimeLibrary.OverrideVariable} environment variable to the full path of an ONNX Runtime shared library ({OnnxRuntimeLibrary.LibraryFileName}) to use a specific one.",
                    ex);
                throw _initError;
            }
        }
    }
}
