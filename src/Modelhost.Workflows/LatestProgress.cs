namespace Modelhost.Workflows;

/// <summary>Keeps the latest fraction a learner reports from its worker threads, for a reporter to read now and then.</summary>
internal sealed class LatestProgress : IProgress<double>
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Report(double value) => Volatile.Write(ref _value, value);
}
