using Modelhost.Vision.Detection;
using Modelhost.Vision.Processing;

namespace Modelhost.Core.Configuration;

/// <summary>
/// The <c>vision</c> section of model.yaml: how an image becomes this model's input, and how its SSD outputs
/// become boxes, so that a detector deploys as an ONNX file and this config with no code.
/// </summary>
public sealed class VisionConfig
{
    /// <summary>Whether this is the detector behind the seed's route, <c>POST /</c>.</summary>
    public bool IsDefault { get; init; }

    /// <summary>The model input that takes the image; the first input when not set.</summary>
    public string? InputName { get; init; }

    /// <summary>Resize, channel order, layout and normalization.</summary>
    public required PreprocessOptions Input { get; init; }

    /// <summary>The anchors, as MediaPipe's SsdAnchorsCalculator sets them.</summary>
    public required AnchorOptions Anchors { get; init; }

    /// <summary>Box and keypoint decoding and score activation.</summary>
    public required SsdDecodeOptions Decode { get; init; }

    /// <summary>The score outputs, one per anchor group, in anchor order.</summary>
    public required IReadOnlyList<string> ScoreOutputs { get; init; }

    /// <summary>The box outputs, matching <see cref="ScoreOutputs"/>.</summary>
    public required IReadOnlyList<string> BoxOutputs { get; init; }

    /// <summary>Hard or weighted non-maximum suppression.</summary>
    public NmsMode Nms { get; init; } = NmsMode.Weighted;

    /// <summary>Class names by class id; "object" when not set.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>What a request that leaves out a feature gets.</summary>
    public VisionDefaults Defaults { get; init; } = VisionDefaults.Seed;
}
