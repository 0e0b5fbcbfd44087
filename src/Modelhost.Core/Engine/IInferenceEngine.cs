using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine;

/// <summary>
/// The inference engine behind Modelhost: loads models into sessions and makes the tensors they run on. The rest of
/// Modelhost sees only this interface, <see cref="IEngineSession"/> and <see cref="EngineValue"/>; the one
/// implementation, over ONNX Runtime, is <see cref="OnnxRuntime.OnnxRuntimeEngine"/>.
/// </summary>
public interface IInferenceEngine
{
    /// <summary>The engine's name for messages, e.g. "ONNX Runtime".</summary>
    string Name { get; }

    /// <summary>The version of the engine's native library, e.g. "1.32.0"; loads the library if it is not loaded yet.</summary>
    /// <exception cref="EngineLibraryException">The native library could not be loaded.</exception>
    string Version { get; }

    /// <summary>Loads a model from its serialized bytes.</summary>
    /// <param name="model">The model file's contents.</param>
    /// <param name="options">Threading, optimization and execution providers.</param>
    /// <returns>A session the caller owns and must dispose.</returns>
    /// <exception cref="EngineException">
    /// The model is invalid (<see cref="EngineErrorKind.InvalidModel"/>), or an execution provider is missing or cannot
    /// run here (<see cref="EngineErrorKind.ProviderUnavailable"/>, naming the provider and what is missing).
    /// </exception>
    /// <exception cref="EngineLibraryException">The native library could not be loaded.</exception>
    IEngineSession CreateSession(byte[] model, EngineSessionOptions options);

    /// <summary>Creates a tensor of any fixed-size element type that reads <paramref name="bytes"/> in place, without copying it.</summary>
    /// <param name="type">The element type; any but <see cref="TensorElementType.String"/>.</param>
    /// <param name="bytes">The elements in row-major order, in the machine's byte order. Pinned until the returned value is disposed.</param>
    /// <param name="shape">The dimensions; each must be 0 or more.</param>
    /// <returns>A value the caller owns and must dispose; only then may <paramref name="bytes"/> go back to a pool.</returns>
    /// <exception cref="ArgumentException">The type is String, or the buffer's length does not fit the shape.</exception>
    EngineValue CreateTensor(TensorElementType type, Memory<byte> bytes, long[] shape);

    /// <summary>Creates a tensor that reads <paramref name="data"/> in place, without copying it.</summary>
    /// <typeparam name="T">float, double, sbyte, byte, short, ushort, int, uint, long, ulong, bool, or <see cref="Half"/>.</typeparam>
    /// <param name="data">The elements in row-major order. Pinned until the returned value is disposed.</param>
    /// <param name="shape">The dimensions; their product must equal the length of <paramref name="data"/>.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The shape does not match the length of <paramref name="data"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no tensor element type.</exception>
    EngineValue CreateTensor<T>(Memory<T> data, long[] shape)
        where T : unmanaged;

    /// <summary>Creates a string tensor from raw byte strings, which may hold any bytes, including NUL.</summary>
    /// <param name="values">The elements in row-major order; copied.</param>
    /// <param name="shape">The dimensions; their product must equal the number of <paramref name="values"/>.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The shape does not match.</exception>
    EngineValue CreateStringTensor(IReadOnlyList<ReadOnlyMemory<byte>> values, long[] shape);
}
