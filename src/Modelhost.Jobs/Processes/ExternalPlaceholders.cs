namespace Modelhost.Jobs.Processes;

/// <summary>The placeholder names an external trainer's command may use, e.g. <c>{output_dir}</c>.</summary>
public static class ExternalPlaceholders
{
    /// <summary>The directory the program writes its model into.</summary>
    public const string OutputDir = "output_dir";

    /// <summary>The model's name.</summary>
    public const string Model = "model";

    /// <summary>The version number the trained model will get.</summary>
    public const string NextVersion = "next_version";

    /// <summary>The training data's path.</summary>
    public const string Data = "data";
}
