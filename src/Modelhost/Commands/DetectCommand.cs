using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core;
using Modelhost.Core.Detection;
using Modelhost.Core.Models;
using Modelhost.Vision;
using Modelhost.Vision.Processing;

namespace Modelhost.Commands;

/// <summary><c>modelhost detect MODEL IMAGE</c>: runs a detector from the repository on one image file.</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The detection model, e.g. face-front." };
        var image = new Argument<FileInfo>("image") { Description = "A PNG, JPEG, WebP, GIF or BMP file." };
        var models = new Option<string>("--models") { Description = "The model repository directory.", DefaultValueFactory = _ => "models" };
        var json = new Option<bool>("--json") { Description = "Print the detections as JSON, as the HTTP API answers them." };
        var draw = new Option<FileInfo?>("--draw") { Description = "Write a PNG of the image with the boxes and keypoints drawn on it." };
        var score = new Option<float?>("--score-th") { Description = "Drop boxes scoring below this (0-1)." };
        var command = new Command("detect", "Detect objects in an image with a detection model from the repository.") { model, image, models, json, draw, score };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(model)!,
            result.GetValue(image)!,
            result.GetValue(models)!,
            result.GetValue(json),
            result.GetValue(draw),
            result.GetValue(score),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string name, FileInfo file, string models, bool json, FileInfo? draw, float? score, CancellationToken cancellationToken)
    {
        await using var manager = new ModelRepositoryManager(new ModelRepositoryOptions { Root = models }, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            await manager.LoadAsync(name, cancellationToken);
            using var lease = manager.Acquire(name);
            // Only a drawing needs every pixel; otherwise a JPEG is decoded as small as the model's input allows.
            var options = new ImageDecodeOptions { Target = draw is null ? lease.Model.Config.Vision?.Input : null };
            var decoded = ImageDecoder.Decode(await File.ReadAllBytesAsync(file.FullName, cancellationToken), options);
            var result = await ObjectDetector.DetectAsync(lease.Model, decoded, new DetectionFeatures { ScoreThreshold = score }, cancellationToken);
            Print(result, json);
            if (draw is not null)
            {
                foreach (var d in result.Objects)
                {
                    ImageDrawing.DrawRectangle(decoded, d.X, d.Y, d.Width, d.Height, (0, 255, 0));
                    for (var k = 0; k < d.Keypoints.Length; k += 2)
                    {
                        ImageDrawing.DrawPoint(decoded, d.Keypoints[k], d.Keypoints[k + 1], (255, 0, 0));
                    }
                }

                await File.WriteAllBytesAsync(draw.FullName, PngEncoder.Encode(decoded), cancellationToken);
            }

            return 0;
        }
        catch (Exception ex) when (ex is InferenceException or ImageDecodeException or IOException or UnauthorizedAccessException or Modelhost.Core.Engine.EngineLibraryException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }

    private static void Print(DetectionResult result, bool json)
    {
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteStartArray("detections");
                foreach (var d in result.Objects)
                {
                    w.WriteStartObject();
                    w.WriteString("label", d.Label);
                    w.WriteNumber("score", Math.Round(d.Score, 4));
                    w.WriteStartObject("box");
                    w.WriteNumber("x", Math.Round(d.X, 2));
                    w.WriteNumber("y", Math.Round(d.Y, 2));
                    w.WriteNumber("width", Math.Round(d.Width, 2));
                    w.WriteNumber("height", Math.Round(d.Height, 2));
                    w.WriteEndObject();
                    w.WriteStartArray("keypoints");
                    for (var k = 0; k < d.Keypoints.Length; k += 2)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("x", Math.Round(d.Keypoints[k], 2));
                        w.WriteNumber("y", Math.Round(d.Keypoints[k + 1], 2));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartObject("image");
                w.WriteNumber("width", result.ImageWidth);
                w.WriteNumber("height", result.ImageHeight);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            Console.WriteLine();
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Objects.Count} detection(s) in {result.ImageWidth}x{result.ImageHeight}"));
        foreach (var d in result.Objects)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Label,-10} score {d.Score:F3}  x {d.X:F1}  y {d.Y:F1}  w {d.Width:F1}  h {d.Height:F1}"));
        }
    }
}
