using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Modelhost.OnnxRuntime;

/// <summary>A loaded model, ready to run. <see cref="Run"/> is thread-safe; one session serves concurrent requests.</summary>
public sealed unsafe class InferenceSession : IDisposable
{
    // Up to this many inputs or outputs, Run's pointer arrays live on the stack.
    private const int StackallocLimit = 16;

    private readonly OrtSessionHandle _handle;

    // NUL-terminated UTF-8 names of the model's own inputs and outputs, allocated once on the pinned object heap so
    // Run can pass their addresses without marshalling or pinning anything per call.
    private readonly string[] _inputNames;
    private readonly byte[][] _inputNamesUtf8;
    private readonly string[] _outputNames;
    private readonly byte[][] _outputNamesUtf8;

    private InferenceSession(OrtSessionHandle handle)
    {
        _handle = handle;
        nint session = handle.DangerousGetHandle();
        Inputs = ReadNodes(session, isInput: true, out _inputNames, out _inputNamesUtf8);
        Outputs = ReadNodes(session, isInput: false, out _outputNames, out _outputNamesUtf8);
    }

    /// <summary>The model's inputs, in the model's order.</summary>
    public IReadOnlyList<NodeInfo> Inputs { get; }

    /// <summary>The model's outputs, in the model's order.</summary>
    public IReadOnlyList<NodeInfo> Outputs { get; }

    /// <summary>Loads a model from its serialized ONNX bytes.</summary>
    /// <param name="model">The model file's contents; ORT parses them during the call and keeps no reference.</param>
    /// <param name="options">Threading and optimization settings.</param>
    /// <returns>A session the caller owns and must dispose.</returns>
    /// <exception cref="OrtException">The model is invalid or uses operators this ONNX Runtime does not have.</exception>
    /// <exception cref="OnnxRuntimeLibraryException">The native library could not be loaded.</exception>
    public static InferenceSession Create(ReadOnlySpan<byte> model, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OrtEnvironment environment = OrtEnvironment.Shared;

        nint session;
        using (OrtSessionOptionsHandle nativeOptions = options.CreateNative())
        {
            fixed (byte* modelData = model)
            {
                // The environment is never released (see OrtEnvironment), so its raw handle cannot go stale here.
                session = NativeMethods.CreateSessionFromArray(
                    environment.Handle.DangerousGetHandle(), modelData, (nuint)model.Length, nativeOptions.DangerousGetHandle());
            }
        }

        // The new OrtSession is owned by this handle from here on, and released if reading its metadata fails.
        var handle = new OrtSessionHandle(session);
        try
        {
            return new InferenceSession(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model. Safe to call from several threads at once.</summary>
    /// <param name="inputNames">The names of the inputs being fed, matching <paramref name="inputs"/> one to one.</param>
    /// <param name="inputs">The input tensors; they must stay undisposed until the call returns.</param>
    /// <param name="outputNames">The names of the outputs wanted, in the order they are returned.</param>
    /// <param name="cancellationToken">Cancelling it stops the run at ORT's next check between operators.</param>
    /// <returns>One value per name in <paramref name="outputNames"/>; the caller owns and must dispose each.</returns>
    /// <exception cref="ArgumentException">The names and inputs differ in number, or an input is null.</exception>
    /// <exception cref="OrtException">ORT rejected the request (e.g. an unknown name, wrong shape or type) or failed running it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The session or an input has been disposed.</exception>
    public OrtValue[] Run(
        ReadOnlySpan<string> inputNames,
        ReadOnlySpan<OrtValue> inputs,
        ReadOnlySpan<string> outputNames,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (inputNames.Length != inputs.Length)
        {
            throw new ArgumentException($"{inputNames.Length} input names were given for {inputs.Length} inputs.", nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();

        int inputCount = inputs.Length;
        int outputCount = outputNames.Length;
        Span<nint> inputNamePointers = inputCount <= StackallocLimit ? stackalloc nint[StackallocLimit] : new nint[inputCount];
        Span<nint> inputValues = inputCount <= StackallocLimit ? stackalloc nint[StackallocLimit] : new nint[inputCount];
        Span<nint> outputNamePointers = outputCount <= StackallocLimit ? stackalloc nint[StackallocLimit] : new nint[outputCount];
        Span<nint> outputValues = outputCount <= StackallocLimit ? stackalloc nint[StackallocLimit] : new nint[outputCount];

        // ORT allocates an output only into a null slot.
        outputValues.Clear();

        // Names that are not the model's own are marshalled per call; ORT will reject them, with a message naming them.
        List<byte[]>? otherNames = null;
        for (int i = 0; i < inputCount; i++)
        {
            inputNamePointers[i] = NamePointer(inputNames, i, _inputNames, _inputNamesUtf8, ref otherNames, nameof(inputNames));
        }

        for (int i = 0; i < outputCount; i++)
        {
            outputNamePointers[i] = NamePointer(outputNames, i, _outputNames, _outputNamesUtf8, ref otherNames, nameof(outputNames));
        }

        OrtRunOptionsHandle? runOptions = null;
        CancellationTokenRegistration registration = default;
        bool sessionAdded = false;
        int inputsAdded = 0;
        try
        {
            // Hold a reference on every native object ORT will use, so a concurrent Dispose cannot free it mid-run.
            nint session = _handle.AddRefForCall();
            sessionAdded = true;
            for (; inputsAdded < inputCount; inputsAdded++)
            {
                OrtValue input = inputs[inputsAdded] ?? throw new ArgumentException($"The input at index {inputsAdded} is null.", nameof(inputs));
                ObjectDisposedException.ThrowIf(input.Handle.IsClosed, input);
                inputValues[inputsAdded] = input.Handle.AddRefForCall();
            }

            nint nativeRunOptions = 0;
            if (cancellationToken.CanBeCanceled)
            {
                // Owned by this handle and released in the finally below, after the callback can no longer run.
                runOptions = new OrtRunOptionsHandle(NativeMethods.CreateRunOptions());
                nativeRunOptions = runOptions.DangerousGetHandle();

                // If the token is cancelled between the check above and here, the callback runs now and ORT stops at once.
                registration = cancellationToken.UnsafeRegister(static state => Terminate((OrtRunOptionsHandle)state!), runOptions);
            }

            try
            {
                fixed (nint* inNames = inputNamePointers)
                fixed (nint* inValues = inputValues)
                fixed (nint* outNames = outputNamePointers)
                fixed (nint* outValues = outputValues)
                {
                    NativeMethods.Run(
                        session, nativeRunOptions, inNames, inValues, (nuint)inputCount, outNames, (nuint)outputCount, outValues);
                }
            }
            catch (OrtException e) when (cancellationToken.IsCancellationRequested)
            {
                ReleaseAll(outputValues[..outputCount]);
                throw new OperationCanceledException("The run was cancelled.", e, cancellationToken);
            }
            catch (OrtException)
            {
                // ORT fills the outputs only on success; this is for a version that might not.
                ReleaseAll(outputValues[..outputCount]);
                throw;
            }
        }
        finally
        {
            // Disposing the registration waits for a running callback, so the run options outlive any Terminate call.
            registration.Dispose();
            runOptions?.Dispose();
            for (int i = 0; i < inputsAdded; i++)
            {
                inputs[i].Handle.DangerousRelease();
            }

            if (sessionAdded)
            {
                _handle.DangerousRelease();
            }

            GC.KeepAlive(otherNames);
        }

        // Each output is a new OrtValue that ORT handed to us; its handle owns it from here on.
        var results = new OrtValue[outputCount];
        for (int i = 0; i < outputCount; i++)
        {
            results[i] = new OrtValue(new OrtValueHandle(outputValues[i]));
        }

        return results;
    }

    /// <summary>Releases the native session. Safe to call more than once; runs in progress finish first.</summary>
    public void Dispose() => _handle.Dispose();

    private static nint NamePointer(
        ReadOnlySpan<string> requested,
        int index,
        string[] knownNames,
        byte[][] knownNamesUtf8,
        ref List<byte[]>? otherNames,
        string paramName)
    {
        string name = requested[index] ?? throw new ArgumentException($"The name at index {index} is null.", paramName);

        // Models have a handful of inputs and outputs, where a linear scan beats hashing.
        for (int i = 0; i < knownNames.Length; i++)
        {
            if (string.Equals(knownNames[i], name, StringComparison.Ordinal))
            {
                return AddressOf(knownNamesUtf8[i]);
            }
        }

        byte[] utf8 = ToPinnedUtf8(name);
        (otherNames ??= []).Add(utf8);
        return AddressOf(utf8);
    }

    /// <summary>The address of an array on the pinned object heap, which never moves.</summary>
    private static nint AddressOf(byte[] pinned) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    private static byte[] ToPinnedUtf8(string value)
    {
        byte[] utf8 = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(value) + 1, pinned: true);
        Encoding.UTF8.GetBytes(value, utf8);
        return utf8;
    }

    private static void Terminate(OrtRunOptionsHandle runOptions)
    {
        try
        {
            NativeMethods.RunOptionsSetTerminate(runOptions.DangerousGetHandle());
        }
        catch (OrtException)
        {
            // An exception here would surface in whoever called Cancel (e.g. a request timeout), not in Run. If ORT
            // cannot set the flag, the run simply completes, which is correct if late.
        }
    }

    private static void ReleaseAll(Span<nint> values)
    {
        foreach (nint value in values)
        {
            if (value != 0)
            {
                NativeMethods.ReleaseValue(value);
            }
        }
    }

    private static ReadOnlyCollection<NodeInfo> ReadNodes(nint session, bool isInput, out string[] names, out byte[][] namesUtf8)
    {
        int count = checked((int)(isInput ? NativeMethods.SessionGetInputCount(session) : NativeMethods.SessionGetOutputCount(session)));
        nint allocator = OrtCpuMemory.DefaultAllocator;
        var nodes = new NodeInfo[count];
        names = new string[count];
        namesUtf8 = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            // ORT allocates the name with our allocator and hands it to us; copy it, then give it back.
            byte* nativeName = isInput
                ? NativeMethods.SessionGetInputName(session, (nuint)i, allocator)
                : NativeMethods.SessionGetOutputName(session, (nuint)i, allocator);
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((nint)nativeName) ?? string.Empty;
            }
            finally
            {
                NativeMethods.AllocatorFree(allocator, nativeName);
            }

            names[i] = name;
            namesUtf8[i] = ToPinnedUtf8(name);

            // A new OrtTypeInfo that we own; released when this iteration ends, after its contents are copied.
            using var typeInfo = new OrtTypeInfoHandle(isInput
                ? NativeMethods.SessionGetInputTypeInfo(session, (nuint)i)
                : NativeMethods.SessionGetOutputTypeInfo(session, (nuint)i));
            nodes[i] = ReadNode(name, typeInfo.DangerousGetHandle());
        }

        return Array.AsReadOnly(nodes);
    }

    private static NodeInfo ReadNode(string name, nint typeInfo)
    {
        // enum ONNXType in onnxruntime_c_api.h.
        NodeValueKind kind = NativeMethods.GetOnnxTypeFromTypeInfo(typeInfo) switch
        {
            1 => NodeValueKind.Tensor,
            2 => NodeValueKind.Sequence,
            3 => NodeValueKind.Map,
            _ => NodeValueKind.Other,
        };
        if (kind != NodeValueKind.Tensor)
        {
            return new NodeInfo(name, kind, default, [], []);
        }

        // Borrowed from typeInfo, which the caller releases; never released here.
        nint tensorInfo = NativeMethods.CastTypeInfoToTensorInfo(typeInfo);
        long[] shape = TensorTypeAndShapeReader.Shape(tensorInfo);
        return new NodeInfo(
            name,
            kind,
            TensorTypeAndShapeReader.ElementType(tensorInfo),
            shape,
            TensorTypeAndShapeReader.SymbolicDimensions(tensorInfo, shape.Length));
    }
}
