using System.Globalization;
using Modelhost.Core.Configuration;
using Modelhost.Core.Engine;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc.Protocol;
using TritonConfig = Modelhost.Server.Grpc.Protocol.ModelConfig;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// Triton's <c>ModelConfig</c> of a loaded version, the one description that gRPC's <c>ModelConfig</c> sends as
/// protobuf and <c>GET /v2/models/{m}/config</c> as JSON.
/// </summary>
internal static class TritonModelConfig
{
    public static TritonConfig Describe(LoadedModel model)
    {
        var config = model.Config;
        var batched = model.MaxBatchSize > 0;
        var described = new TritonConfig
        {
            Name = model.Name,
            Platform = "onnxruntime_onnx",
            Backend = "onnxruntime",
            MaxBatchSize = model.MaxBatchSize,
            DefaultModelFilename = "model.onnx",
            VersionPolicy = Policy(config.VersionPolicy),
        };
        foreach (var node in model.Signature.Inputs)
        {
            described.Input.Add(new ModelInput { Name = node.Name, DataType = DataTypeOf(node.ElementType), Dims = { Dims(node, batched) } });
        }

        foreach (var node in model.Signature.Outputs)
        {
            described.Output.Add(new ModelOutput { Name = node.Name, DataType = DataTypeOf(node.ElementType), Dims = { Dims(node, batched) } });
        }

        if (config.DynamicBatching is { } batching)
        {
            described.DynamicBatching = new ModelDynamicBatching
            {
                PreferredBatchSize = { batching.PreferredBatchSizes },
                MaxQueueDelayMicroseconds = (ulong)batching.MaxQueueDelayMicroseconds,
                DefaultQueuePolicy = new ModelQueuePolicy { MaxQueueSize = (uint)batching.MaxQueueSize, AllowTimeoutOverride = true },
            };
        }

        described.InstanceGroup.Add(new ModelInstanceGroup
        {
            Name = string.Create(CultureInfo.InvariantCulture, $"{model.Name}_0"),
            Kind = ModelInstanceGroup.Types.Kind.Cpu,
            Count = config.Instances,
        });
        return described;
    }

    private static ModelVersionPolicy Policy(VersionPolicy policy) => policy.Kind switch
    {
        VersionPolicyKind.All => new ModelVersionPolicy { All = new ModelVersionPolicy.Types.All() },
        VersionPolicyKind.Specific => new ModelVersionPolicy { Specific = new ModelVersionPolicy.Types.Specific { Versions = { policy.SpecificVersions } } },
        _ => new ModelVersionPolicy { Latest = new ModelVersionPolicy.Types.Latest { NumVersions = (uint)policy.LatestCount } },
    };

    /// <summary>Triton's dims leave out the batch dimension of a model that batches.</summary>
    private static long[] Dims(NodeInfo node, bool batched) => batched && node.Shape.Length > 0 ? node.Shape[1..] : node.Shape;

    private static DataType DataTypeOf(TensorElementType type) => type switch
    {
        TensorElementType.Bool => DataType.TypeBool,
        TensorElementType.UInt8 => DataType.TypeUint8,
        TensorElementType.UInt16 => DataType.TypeUint16,
        TensorElementType.UInt32 => DataType.TypeUint32,
        TensorElementType.UInt64 => DataType.TypeUint64,
        TensorElementType.Int8 => DataType.TypeInt8,
        TensorElementType.Int16 => DataType.TypeInt16,
        TensorElementType.Int32 => DataType.TypeInt32,
        TensorElementType.Int64 => DataType.TypeInt64,
        TensorElementType.Float16 => DataType.TypeFp16,
        TensorElementType.Float => DataType.TypeFp32,
        TensorElementType.Double => DataType.TypeFp64,
        TensorElementType.String => DataType.TypeString,
        TensorElementType.BFloat16 => DataType.TypeBf16,
        _ => DataType.TypeInvalid,
    };
}
