namespace Modelhost.Bench.Learners;

/// <summary>One learner on one dataset: its test scores and the training times of every measured repetition.</summary>
internal sealed record LearnerResult(
    string Dataset,
    string Model,
    int Threads,
    int TrainRows,
    int TestRows,
    double Accuracy,
    double MacroF1,
    double[] WallMs,
    double[] CpuMs);
