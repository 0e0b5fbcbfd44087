using System.Globalization;
using Modelhost.Core.Models;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>Triton's <c>ModelStatistics</c> message of a loaded version.</summary>
internal static class GrpcModelStatistics
{
    public static Protocol.ModelStatistics Statistics(LoadedModel model)
    {
        var stats = model.Statistics;
        var computeNs = (ulong)(stats.ComputeTime.Ticks * 100);
        var described = new Protocol.ModelStatistics
        {
            Name = model.Name,
            Version = model.Version.ToString(CultureInfo.InvariantCulture),
            InferenceCount = (ulong)stats.InferenceCount,
            ExecutionCount = (ulong)stats.ExecutionCount,
            InferenceStats = new InferStatistics
            {
                Success = new StatisticDuration { Count = (ulong)stats.SuccessCount },
                Fail = new StatisticDuration { Count = (ulong)stats.FailureCount },
                ComputeInfer = new StatisticDuration { Count = (ulong)stats.ExecutionCount, Ns = computeNs },
            },
        };
        var runs = stats.RunsByBatchSize();
        for (var size = 1; size < runs.Length; size++)
        {
            if (runs[size] > 0)
            {
                described.BatchStats.Add(new InferBatchStatistics { BatchSize = (ulong)size, ComputeInfer = new StatisticDuration { Count = (ulong)runs[size] } });
            }
        }

        return described;
    }
}
