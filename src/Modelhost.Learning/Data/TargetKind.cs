namespace Modelhost.Learning.Data;

/// <summary>What a dataset's target column holds, and so which learners can train on it.</summary>
public enum TargetKind
{
    /// <summary>Class labels (text or numbers), encoded as class ids <c>0..C-1</c> in label order.</summary>
    Classification,

    /// <summary>Real-valued targets.</summary>
    Regression,
}
