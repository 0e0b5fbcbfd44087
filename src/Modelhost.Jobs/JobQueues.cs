namespace Modelhost.Jobs;

/// <summary>The queues that exist by default.</summary>
public static class JobQueues
{
    /// <summary>Long-running training jobs.</summary>
    public const string Training = "training";

    /// <summary>Batch prediction jobs.</summary>
    public const string Prediction = "prediction";
}
