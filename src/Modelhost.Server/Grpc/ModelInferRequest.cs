using Modelhost.Core.Tensors;

namespace Modelhost.Server.Grpc.Protocol;

/// <summary>The generated message, plus the pooled buffer its raw inputs live in when <see cref="InferRequestMarshaller"/> read it.</summary>
internal sealed partial class ModelInferRequest
{
    private byte[]? _pooledPayload;

    /// <summary>Hands the message the pooled buffer that its <c>raw_input_contents</c> entries point into.</summary>
    internal void SetPooledPayload(byte[] buffer) => _pooledPayload = buffer;

    /// <summary>
    /// Returns the pooled buffer, if any, once nothing reads the raw inputs any more (the inference has finished), and
    /// drops the entries that point into it.
    /// </summary>
    internal void ReturnPooledPayload()
    {
        if (_pooledPayload is { } buffer)
        {
            _pooledPayload = null;
            RawInputContents.Clear();
            TensorBuffers.Return(buffer);
        }
    }
}
