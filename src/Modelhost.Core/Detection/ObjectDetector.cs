using Modelhost.Core.Configuration;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;
using Modelhost.Vision;
using Modelhost.Vision.Detection;
using Modelhost.Vision.Processing;

namespace Modelhost.Core.Detection;

/// <summary>
/// Runs a detector that its model.yaml describes: fits the image to the input, runs the model through its
/// normal path (so concurrency and statistics apply), decodes SSD outputs, suppresses overlaps and maps the
/// boxes back to the original image, undoing the letterbox.
/// </summary>
public static class ObjectDetector
{
    /// <summary>
    /// Detects objects in an image with a loaded detection model. The boxes are in the pixels of the full-size
    /// image (<see cref="RgbImage.SourceWidth"/>), also when it was decoded shrunk for the model's input.
    /// </summary>
    /// <exception cref="InferenceException">The model has no <c>vision</c> section, or a feature is out of range.</exception>
    public static async ValueTask<DetectionResult> DetectAsync(LoadedModel model, RgbImage image, DetectionFeatures features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(features);
        var vision = model.Config.Vision
            ?? throw new InferenceException(InferenceErrorKind.InvalidArgument, $"model '{model.Name}' is not a detector: its model.yaml has no 'vision' section");
        var settings = Resolve(features, vision.Defaults);
        var anchors = AnchorCache.For(vision);

        var (fitted, transform) = ImagePreprocessor.Fit(image, vision.Input);
        using var request = new InferenceRequest { Protocol = "vision", RequestedOutputs = AnchorCache.Outputs(vision) };
        request.Inputs.Add(InputFor(model, vision, fitted));
        using var result = await model.InferAsync(request, cancellationToken).ConfigureAwait(false);

        var groups = vision.ScoreOutputs.Count;
        var scores = new float[anchors.Length];
        var boxes = new float[anchors.Length * vision.Decode.ValuesPerAnchor];
        int scoreAt = 0, boxAt = 0;
        for (var g = 0; g < groups; g++)
        {
            scoreAt += Copy(result.Outputs[g], scores, scoreAt, model.Name);
            boxAt += Copy(result.Outputs[groups + g], boxes, boxAt, model.Name);
        }

        if (scoreAt != anchors.Length || boxAt != boxes.Length)
        {
            throw new InferenceException(
                InferenceErrorKind.Internal,
                $"model '{model.Name}' gave {scoreAt} scores and {boxAt} box values, but its vision.ssd config makes {anchors.Length} anchors of {vision.Decode.ValuesPerAnchor} values");
        }

        var candidates = SsdDecoder.Decode(scores, boxes, anchors, vision.Decode, settings.ScoreThreshold);
        var kept = NonMaxSuppression.Apply(candidates, settings.NmsIou, vision.Nms, int.MaxValue);
        var objects = new List<DetectedObject>();
        foreach (var d in kept)
        {
            var x0 = Math.Clamp(transform.ToImageX(d.XMin), 0, transform.ImageWidth);
            var y0 = Math.Clamp(transform.ToImageY(d.YMin), 0, transform.ImageHeight);
            var x1 = Math.Clamp(transform.ToImageX(d.XMin + d.Width), 0, transform.ImageWidth);
            var y1 = Math.Clamp(transform.ToImageY(d.YMin + d.Height), 0, transform.ImageHeight);
            if (x1 - x0 < settings.MinWidth * transform.ImageWidth || y1 - y0 < settings.MinHeight * transform.ImageHeight)
            {
                continue;
            }

            var keypoints = new double[d.Keypoints.Length];
            for (var k = 0; k < keypoints.Length; k += 2)
            {
                keypoints[k] = transform.ToImageX(d.Keypoints[k]);
                keypoints[k + 1] = transform.ToImageY(d.Keypoints[k + 1]);
            }

            var label = d.ClassId < vision.Labels.Count ? vision.Labels[d.ClassId] : "object";
            objects.Add(new DetectedObject(label, d.Score, x0, y0, x1 - x0, y1 - y0, keypoints));
            if (objects.Count == settings.MaxResults)
            {
                break;
            }
        }

        return new DetectionResult(transform.ImageWidth, transform.ImageHeight, objects);
    }

    private static VisionDefaults Resolve(DetectionFeatures features, VisionDefaults defaults)
    {
        var resolved = new VisionDefaults
        {
            ScoreThreshold = features.ScoreThreshold ?? defaults.ScoreThreshold,
            NmsIou = features.NmsIou ?? defaults.NmsIou,
            MinHeight = features.MinHeight ?? defaults.MinHeight,
            MinWidth = features.MinWidth ?? defaults.MinWidth,
            MaxResults = features.MaxResults ?? defaults.MaxResults,
        };
        CheckFraction(resolved.ScoreThreshold, "score_th");
        CheckFraction(resolved.NmsIou, "nms_iou");
        CheckFraction(resolved.MinHeight, "min_height");
        CheckFraction(resolved.MinWidth, "min_width");
        if (resolved.MaxResults is < 1 or > 1000)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"maxResults must be from 1 to 1000, got {resolved.MaxResults}");
        }

        return resolved;
    }

    private static void CheckFraction(float value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"{name} must be from 0 to 1, got {value}");
        }
    }

    private static InputTensor InputFor(LoadedModel model, VisionConfig vision, RgbImage fitted)
    {
        var inputs = model.Signature.Inputs;
        var index = vision.InputName is null ? 0 : model.Signature.InputIndex(vision.InputName);
        if (index < 0 || inputs.Count != 1)
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{model.Name}' must have exactly one input, the image (vision.input.name)");
        }

        var input = inputs[index];
        var options = vision.Input;
        long[] shape = options.Layout == TensorLayout.Nhwc
            ? [1, options.Height, options.Width, 3]
            : [1, 3, options.Height, options.Width];
        var tensor = InputTensor.Allocate(input.Name, input.ElementType, shape);
        try
        {
            var data = tensor.Data.Span;
            if (input.ElementType == TensorElementType.Float && !options.AsBytes)
            {
                ImagePreprocessor.WriteFloats(fitted, options, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data));
            }
            else if (input.ElementType == TensorElementType.UInt8 && options.AsBytes)
            {
                ImagePreprocessor.WriteBytes(fitted, options, data);
            }
            else
            {
                throw new InferenceException(
                    InferenceErrorKind.Unavailable,
                    $"model '{model.Name}' takes {TensorDataTypes.Name(input.ElementType)}, but vision.input.dtype says {(options.AsBytes ? "uint8" : "float32")}");
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static int Copy(OutputTensor output, float[] destination, int offset, string model)
    {
        if (output.ElementType != TensorElementType.Float)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"model '{model}': output '{output.Name}' is {TensorDataTypes.Name(output.ElementType)}, not FP32");
        }

        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(output.Bytes);
        if (offset + values.Length > destination.Length)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"model '{model}': output '{output.Name}' holds more values than its anchors");
        }

        values.CopyTo(destination.AsSpan(offset));
        return values.Length;
    }
}
