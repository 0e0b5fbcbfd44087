using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modelhost.Bench.Ceiling;

/// <summary>Source-generated System.Text.Json metadata for <see cref="IrisRow"/> (snake_case names, as the seed sends).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IrisRow))]
internal sealed partial class CeilingJsonContext : JsonSerializerContext;
