namespace Modelhost.Bench.Grpc;

/// <summary>
/// One protocol's measured windows, summed: rows, wall time, server CPU, the load generator's CPU, the batches that
/// formed, perf's ORT share.
/// </summary>
internal sealed class Totals
{
    private double _ortSamples;

    public long Rows { get; private set; }

    public double Seconds { get; private set; }

    public double CpuSeconds { get; private set; }

    /// <summary>The load generator's own CPU (this process) over the windows: the client's side of each call.</summary>
    public double ClientCpuSeconds { get; private set; }

    public long Inferences { get; private set; }

    public long Executions { get; private set; }

    /// <summary>ONNX Runtime's share of the server's CPU over the windows perf sampled; null if it sampled none.</summary>
    public double? OrtShare { get; private set; }

    public void Add((long Rows, double Seconds) done, double cpuSeconds, double clientCpuSeconds, long inferences, long executions, double? ortShare)
    {
        Rows += done.Rows;
        ClientCpuSeconds += clientCpuSeconds;
        Seconds += done.Seconds;
        if (ortShare is { } share)
        {
            // Weighted by CPU, as the windows' samples are.
            _ortSamples += share * cpuSeconds;
            OrtShare = _ortSamples / (CpuSeconds + cpuSeconds);
        }

        CpuSeconds += cpuSeconds;
        Inferences += inferences;
        Executions += executions;
    }
}
