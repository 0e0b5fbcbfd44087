using System.Text.Encodings.Web;
using System.Text.Json;
using Modelhost.Learning.Export;

namespace Modelhost.Learning.Tests.Export;

public sealed class OnnxMetadataTests
{
    [Fact]
    public void The_json_list_of_names_is_what_JsonSerializer_writes_with_relaxed_escaping_without_using_it()
    {
        string[] names = ["sepal_length", "a+b & c", "größe", "quote\"d", "back\\slash", "<tag>", "tab\there", "line\nbreak", "日本"];
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        Assert.Equal(JsonSerializer.Serialize(names, relaxed), OnnxMetadata.JsonList(names));
        Assert.Equal("[]", OnnxMetadata.JsonList([]));
        Assert.Equal(names, JsonSerializer.Deserialize<string[]>(OnnxMetadata.JsonList(names)));
    }
}
