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
        var runs = (ulong)stats.ExecutionCount;
        var described = new Protocol.ModelStatistics
        {
            Name = model.Name,
            Version = model.Version.ToString(CultureInfo.InvariantCulture),
            LastInference = (ulong)stats.LastInferenceMs,
            InferenceCount = (ulong)stats.InferenceCount,
            ExecutionCount = runs,
            InferenceStats = new InferStatistics
            {
                // As over HTTP (StatisticsEndpoints): the phases per run, so that ns / count is Triton's mean per request.
                Success = Duration((ulong)stats.SuccessCount, stats.RequestTime),
                Fail = new StatisticDuration { Count = (ulong)stats.FailureCount },
                Queue = Duration((ulong)stats.SuccessCount, stats.QueueTime),
                ComputeInput = Duration(runs, stats.InputTime),
                ComputeInfer = Duration(runs, stats.ComputeTime),
                ComputeOutput = Duration(runs, stats.OutputTime),
            },
        };
        var bySize = stats.RunsByBatchSize();
        for (var size = 1; size < bySize.Length; size++)
        {
            if (bySize[size] > 0)
            {
                described.BatchStats.Add(new InferBatchStatistics { BatchSize = (ulong)size, ComputeInfer = new StatisticDuration { Count = (ulong)bySize[size] } });
            }
        }

        return described;
    }

    private static StatisticDuration Duration(ulong count, TimeSpan total) => new() { Count = count, Ns = (ulong)(total.Ticks * 100) };
}
