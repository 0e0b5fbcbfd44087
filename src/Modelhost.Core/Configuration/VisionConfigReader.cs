using Modelhost.Vision.Detection;
using Modelhost.Vision.Processing;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>Reads the <c>vision</c> section of model.yaml; every key and value is checked like the rest of the file.</summary>
internal static class VisionConfigReader
{
    private static readonly string[] _keys = ["default", "input", "ssd", "labels", "defaults"];
    private static readonly string[] _inputKeys = ["name", "width", "height", "resize", "antialias", "channels", "layout", "scale", "mean", "std", "pad", "dtype"];
    private static readonly string[] _ssdKeys =
    [
        "strides", "anchors_per_layer", "offset", "fixed_anchor_size", "min_scale", "max_scale", "scores", "boxes",
        "values_per_anchor", "keypoints", "box_scale", "score_clipping", "sigmoid", "nms",
    ];

    private static readonly string[] _defaultsKeys = ["score_th", "nms_iou", "min_height", "min_width", "maxResults"];

    public static VisionConfig Read(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var entries = Map(reader.Mapping(entry.Value, entry.Path, _keys));
        if (!entries.TryGetValue("input", out var input))
        {
            throw reader.Error(entry.Value, entry.Path, "needs an 'input' section (width, height, ...)");
        }

        if (!entries.TryGetValue("ssd", out var ssd))
        {
            throw reader.Error(entry.Value, entry.Path, "needs an 'ssd' section (strides, scores, boxes, ...)");
        }

        var (inputName, preprocess) = ReadInput(input, reader);
        var (anchors, decode, scores, boxes, nms) = ReadSsd(ssd, reader, preprocess);
        return new VisionConfig
        {
            IsDefault = entries.TryGetValue("default", out var d) && reader.Boolean(d.Value, d.Path),
            InputName = inputName,
            Input = preprocess,
            Anchors = anchors,
            Decode = decode,
            ScoreOutputs = scores,
            BoxOutputs = boxes,
            Nms = nms,
            Labels = entries.TryGetValue("labels", out var labels) ? Strings(labels, reader) : [],
            Defaults = entries.TryGetValue("defaults", out var defaults) ? ReadDefaults(defaults, reader) : VisionDefaults.Seed,
        };
    }

    private static (string? Name, PreprocessOptions Options) ReadInput(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var e = Map(reader.Mapping(entry.Value, entry.Path, _inputKeys));
        var width = Required(e, "width", entry, reader, (v, p) => reader.Int32(v, p, 1, 8192));
        var height = Required(e, "height", entry, reader, (v, p) => reader.Int32(v, p, 1, 8192));
        var options = new PreprocessOptions
        {
            Width = width,
            Height = height,
            Resize = e.TryGetValue("resize", out var r) ? Choice(r, reader, ("letterbox", ResizeMode.Letterbox), ("stretch", ResizeMode.Stretch)) : ResizeMode.Letterbox,
            Antialias = !e.TryGetValue("antialias", out var aa) || reader.Boolean(aa.Value, aa.Path),
            Channels = e.TryGetValue("channels", out var c) ? Choice(c, reader, ("rgb", ChannelOrder.Rgb), ("bgr", ChannelOrder.Bgr)) : ChannelOrder.Rgb,
            Layout = e.TryGetValue("layout", out var l) ? Choice(l, reader, ("nhwc", TensorLayout.Nhwc), ("nchw", TensorLayout.Nchw)) : TensorLayout.Nhwc,
            Scale = e.TryGetValue("scale", out var s) ? (float)reader.Number(s.Value, s.Path, -1e6, 1e6) : 1f,
            Mean = e.TryGetValue("mean", out var m) ? Triple(m, reader, allowZero: true) : [0f, 0f, 0f],
            Std = e.TryGetValue("std", out var sd) ? Triple(sd, reader, allowZero: false) : [1f, 1f, 1f],
            PadValue = e.TryGetValue("pad", out var pad) ? (byte)reader.Int32(pad.Value, pad.Path, 0, 255) : (byte)0,
            AsBytes = e.TryGetValue("dtype", out var dt) && Choice(dt, reader, ("float32", false), ("uint8", true)),
        };
        return (e.TryGetValue("name", out var n) ? reader.String(n.Value, n.Path) : null, options);
    }

    private static (AnchorOptions, SsdDecodeOptions, string[], string[], NmsMode) ReadSsd(YamlConfigEntry entry, YamlConfigReader reader, PreprocessOptions input)
    {
        var e = Map(reader.Mapping(entry.Value, entry.Path, _ssdKeys));
        var strides = Required(e, "strides", entry, reader, (v, p) =>
        {
            var items = reader.Sequence(v, p);
            var values = new int[items.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.Int32(items[i], YamlConfigReader.Index(p, i), 1, 4096);
            }

            return values.Length == 0 ? throw reader.Error(v, p, "needs at least one stride") : values;
        });
        var scores = Required(e, "scores", entry, reader, (v, p) => StringList(v, p, reader));
        var boxes = Required(e, "boxes", entry, reader, (v, p) => StringList(v, p, reader));
        if (scores.Length != boxes.Length)
        {
            throw reader.Error(entry.Value, entry.Path, $"scores lists {scores.Length} outputs but boxes lists {boxes.Length}; they pair up by position");
        }

        var offset = e.TryGetValue("offset", out var o) ? (float)reader.Number(o.Value, o.Path, 0, 1) : 0.5f;
        var anchors = new AnchorOptions
        {
            InputWidth = input.Width,
            InputHeight = input.Height,
            Strides = strides,
            AnchorsPerLayer = e.TryGetValue("anchors_per_layer", out var a) ? reader.Int32(a.Value, a.Path, 1, 64) : 2,
            OffsetX = offset,
            OffsetY = offset,
            FixedSize = !e.TryGetValue("fixed_anchor_size", out var f) || reader.Boolean(f.Value, f.Path),
            MinScale = e.TryGetValue("min_scale", out var mn) ? (float)reader.Number(mn.Value, mn.Path, 0, 10) : 0.1484375f,
            MaxScale = e.TryGetValue("max_scale", out var mx) ? (float)reader.Number(mx.Value, mx.Path, 0, 10) : 0.75f,
        };
        var keypoints = e.TryGetValue("keypoints", out var k) ? reader.Int32(k.Value, k.Path, 0, 256) : 0;
        var valuesPerAnchor = e.TryGetValue("values_per_anchor", out var vpa) ? reader.Int32(vpa.Value, vpa.Path, 4, 1024) : 4 + (2 * keypoints);
        if (valuesPerAnchor < 4 + (2 * keypoints))
        {
            throw reader.Error(vpa!.Value, vpa.Path, $"must be at least {4 + (2 * keypoints)}: 4 box values and 2 per keypoint");
        }

        var boxScale = e.TryGetValue("box_scale", out var bs) ? (float)reader.Number(bs.Value, bs.Path, 1e-6, 1e6) : input.Width;
        var decode = new SsdDecodeOptions
        {
            ValuesPerAnchor = valuesPerAnchor,
            Keypoints = keypoints,
            XScale = boxScale,
            YScale = boxScale,
            WScale = boxScale,
            HScale = boxScale,
            ScoreClipping = e.TryGetValue("score_clipping", out var sc) ? (float)reader.Number(sc.Value, sc.Path, 0, 1e6) : 100f,
            Sigmoid = !e.TryGetValue("sigmoid", out var sg) || reader.Boolean(sg.Value, sg.Path),
        };
        var nms = e.TryGetValue("nms", out var nm) ? Choice(nm, reader, ("weighted", NmsMode.Weighted), ("hard", NmsMode.Hard)) : NmsMode.Weighted;
        return (anchors, decode, scores, boxes, nms);
    }

    private static VisionDefaults ReadDefaults(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var e = Map(reader.Mapping(entry.Value, entry.Path, _defaultsKeys));
        var seed = VisionDefaults.Seed;
        return new VisionDefaults
        {
            ScoreThreshold = e.TryGetValue("score_th", out var s) ? (float)reader.Number(s.Value, s.Path, 0, 1) : seed.ScoreThreshold,
            NmsIou = e.TryGetValue("nms_iou", out var n) ? (float)reader.Number(n.Value, n.Path, 0, 1) : seed.NmsIou,
            MinHeight = e.TryGetValue("min_height", out var h) ? (float)reader.Number(h.Value, h.Path, 0, 1) : seed.MinHeight,
            MinWidth = e.TryGetValue("min_width", out var w) ? (float)reader.Number(w.Value, w.Path, 0, 1) : seed.MinWidth,
            MaxResults = e.TryGetValue("maxResults", out var m) ? reader.Int32(m.Value, m.Path, 1, 10_000) : seed.MaxResults,
        };
    }

    private static Dictionary<string, YamlConfigEntry> Map(List<YamlConfigEntry> entries)
    {
        var map = new Dictionary<string, YamlConfigEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            map[entry.Name] = entry;
        }

        return map;
    }

    private static T Required<T>(Dictionary<string, YamlConfigEntry> entries, string key, YamlConfigEntry parent, YamlConfigReader reader, Func<YamlNode, string, T> read) =>
        entries.TryGetValue(key, out var entry)
            ? read(entry.Value, entry.Path)
            : throw reader.Error(parent.Value, parent.Path, $"needs '{key}'");

    private static T Choice<T>(YamlConfigEntry entry, YamlConfigReader reader, params (string Name, T Value)[] choices)
    {
        var text = reader.String(entry.Value, entry.Path);
        var names = new string[choices.Length];
        for (var i = 0; i < choices.Length; i++)
        {
            if (string.Equals(choices[i].Name, text, StringComparison.Ordinal))
            {
                return choices[i].Value;
            }

            names[i] = choices[i].Name;
        }

        throw reader.Error(entry.Value, entry.Path, $"expected one of {string.Join(", ", names)}, got {YamlConfigReader.Describe(entry.Value)}");
    }

    private static float[] Triple(YamlConfigEntry entry, YamlConfigReader reader, bool allowZero)
    {
        var items = reader.Sequence(entry.Value, entry.Path);
        if (items.Count != 3)
        {
            throw reader.Error(entry.Value, entry.Path, $"expected 3 values, one per channel, got {items.Count}");
        }

        var values = new float[3];
        for (var i = 0; i < 3; i++)
        {
            var path = YamlConfigReader.Index(entry.Path, i);
            values[i] = (float)reader.Number(items[i], path, -1e6, 1e6);
            if (!allowZero && values[i] == 0)
            {
                throw reader.Error(items[i], path, "must not be 0 (values are divided by it)");
            }
        }

        return values;
    }

    private static string[] StringList(YamlNode node, string path, YamlConfigReader reader)
    {
        var items = reader.Sequence(node, path);
        var values = new string[items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.String(items[i], YamlConfigReader.Index(path, i));
        }

        return values.Length == 0 ? throw reader.Error(node, path, "needs at least one output name") : values;
    }

    private static string[] Strings(YamlConfigEntry entry, YamlConfigReader reader) => StringList(entry.Value, entry.Path, reader);
}
