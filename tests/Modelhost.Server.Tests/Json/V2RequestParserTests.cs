using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Modelhost.Core;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

/// <summary>
/// The V2 parser reads FP32 data arrays with a scanner of its own and resumes the JSON reader after them; every
/// request must read exactly as the general path reads it, and every bad one must fail as it did.
/// </summary>
public sealed class V2RequestParserTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static float[] Floats(string json, int input = 0)
    {
        using var request = V2RequestParser.Parse(Utf8(json));
        return MemoryMarshal.Cast<byte, float>(request.Inputs[input].Data.Span).ToArray();
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,2.5,-3e-2,4E+1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2.5],[-3e-2,4E+1]]}]}""")]
    [InlineData("{ \"inputs\" : [ { \"name\" : \"x\" , \"shape\" : [2,2] , \"datatype\" : \"FP32\" , \"data\" :\t[ [ 1 ,2.5 ] ,\r\n  [-3e-2 , 4E+1 ] ] } ] }")]
    [InlineData("""{"inputs":[{"data":[1,2.5,-3e-2,4E+1],"name":"x","shape":[2,2],"datatype":"FP32"}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,2.5,-3e-2,4E+1],"parameters":{"a":[1,{"b":2}]}}],"id":"r"}""")]
    [InlineData("""{"id":"r","inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1.0,2.50,-0.03,40]}],"outputs":[{"name":"y"}]}""")]
    public void Reads_fp32_data_the_same_whatever_the_layout(string json) =>
        Assert.Equal(new[] { 1f, 2.5f, -0.03f, 40f }, Floats(json));

    [Fact]
    public void Reads_every_input_and_the_keys_after_the_data()
    {
        using var request = V2RequestParser.Parse(Utf8("""
            {"inputs":[{"name":"a","shape":[3],"datatype":"FP32","data":[1,2,3]},
                       {"name":"b","shape":[1],"datatype":"INT32","data":[7]},
                       {"name":"c","shape":[2],"datatype":"FP32","data":[0.5,0.25]}],
             "id":"req-1","parameters":{"timeout_ms":5000}}
            """));
        Assert.Equal(["a", "b", "c"], request.Inputs.Select(i => i.Name));
        Assert.Equal(new[] { 1f, 2f, 3f }, MemoryMarshal.Cast<byte, float>(request.Inputs[0].Data.Span).ToArray());
        Assert.Equal(new[] { 7 }, MemoryMarshal.Cast<byte, int>(request.Inputs[1].Data.Span).ToArray());
        Assert.Equal(new[] { 0.5f, 0.25f }, MemoryMarshal.Cast<byte, float>(request.Inputs[2].Data.Span).ToArray());
        Assert.Equal("req-1", request.Id);
        Assert.Equal(TimeSpan.FromSeconds(5), request.Timeout);
    }

    [Fact]
    public void A_later_shape_key_is_the_one_that_counts()
    {
        using var request = V2RequestParser.Parse(Utf8("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4],"shape":[2,2]}]}"""));
        Assert.Equal(new long[] { 2, 2 }, request.Inputs[0].Shape);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, MemoryMarshal.Cast<byte, float>(request.Inputs[0].Data.Span).ToArray());
    }

    [Fact]
    public void Reads_random_values_exactly_as_written()
    {
        var random = new Random(5);
        var values = new float[700];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(4) switch
            {
                0 => (float)random.NextDouble(),
                1 => (float)((random.NextDouble() - 0.5) * 1e-20),
                2 => BitConverter.UInt32BitsToSingle((uint)random.Next() & 0x7F7FFFFF),
                _ => random.Next(-1000, 1000),
            };
        }

        var text = string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        Assert.Equal(values, Floats($$"""{"inputs":[{"name":"x","shape":[700],"datatype":"FP32","data":[{{text}}]}]}"""));
    }

    [Fact]
    public void Fractions_of_every_length_read_as_float_parse_reads_them()
    {
        // The fast path reads eight fraction digits at a time: lengths around and past each multiple of eight, leading
        // zeros that span a whole chunk, more than 19 significant digits, an exponent after the digits, and a number
        // that ends the body's array, each as .NET's own parser rounds it.
        var random = new Random(8);
        var texts = new List<string>();
        for (var digits = 1; digits <= 40; digits++)
        {
            for (var k = 0; k < 6; k++)
            {
                var fraction = new StringBuilder();
                var zeros = k < 2 ? 0 : random.Next(digits + 1);
                for (var d = 0; d < digits; d++)
                {
                    fraction.Append(d < zeros ? '0' : (char)('0' + random.Next(10)));
                }

                var whole = k % 3 == 0 ? "0" : random.Next(1, 100_000).ToString(CultureInfo.InvariantCulture);
                var exponent = k == 5 ? "e" + random.Next(-30, 20).ToString(CultureInfo.InvariantCulture) : string.Empty;
                texts.Add((random.Next(2) == 0 ? "-" : string.Empty) + whole + "." + fraction + exponent);
            }
        }

        // 20 significant digits whose mantissa wraps past 2^64 to 5: counted wrong, they would read as 5e-20 or 5e-21.
        texts.Add("0.18446744073709551621");
        texts.Add("0.018446744073709551621");

        var expected = texts.Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var data = string.Join(",", texts);
        Assert.Equal(expected, Floats($$"""{"inputs":[{"name":"x","shape":[{{texts.Count}}],"datatype":"FP32","data":[{{data}}]}]}"""));
        foreach (var text in texts.Take(60))
        {
            Assert.Equal([float.Parse(text, CultureInfo.InvariantCulture)], Floats($$"""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[{{text}}]}]}"""));
        }
    }

    [Theory]
    [InlineData("[1e-46,1e-40,12345678901234567890123,0.1000000014901161193847656251]")]
    [InlineData("[0.00000000000000000000000000000000000000000000001, 1e-40 ,12345678901234567890123e0, 0.1000000014901161193847656251]")]
    public void Numbers_the_fast_path_leaves_to_the_general_parser_read_the_same(string data)
    {
        var expected = new[] { 0f, 1e-40f, 1.2345679e22f, 0.1f };
        Assert.Equal(expected, Floats($$"""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":{{data}}}]}"""));
    }

    [Theory]
    [InlineData("[1,2,3]", "needs 4 elements, but data holds 3")]
    [InlineData("[1,2,3,4,5]", "needs 4 elements, but data holds more")]
    [InlineData("[1,2,null,4]", "element 2 is null")]
    [InlineData("[1,2,\"3\",4]", "element 2 is a string")]
    [InlineData("[1,2,1e39,4]", "element 2 (1e39) is not a valid FP32 value")]
    [InlineData("[[1,2],[3,{}]]", "element 3 is an object")]
    public void Bad_data_fails_with_the_general_message(string data, string expected)
    {
        var ex = Assert.Throws<InferenceException>(() => Floats($$"""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":{{data}}}]}"""));
        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,,2,3]")]
    [InlineData("[1,2,3,4,]")]
    [InlineData("[01,2,3,4]")]
    [InlineData("[1.,2,3,4]")]
    [InlineData("[.5,2,3,4]")]
    [InlineData("[-,2,3,4]")]
    [InlineData("[1e,2,3,4]")]
    [InlineData("[+1,2,3,4]")]
    [InlineData("[1 2,3,4]")]
    [InlineData("[1,2,3,4")]
    [InlineData("[1,2,3,4]]")]
    [InlineData("[1,2,3,4}")]
    [InlineData("[nan,2,3,4]")]
    [InlineData("[-NaN,2,3,4]")]
    public void Invalid_json_in_the_data_is_still_invalid_json(string data) =>
        Assert.ThrowsAny<JsonException>(() => Floats($$"""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":{{data}}}]}"""));

    [Fact]
    public void Invalid_json_after_the_data_is_still_invalid_json() =>
        Assert.ThrowsAny<JsonException>(() => Floats("""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,2] "id":"x"}]}"""));

    [Fact]
    public void Data_and_binary_data_size_together_are_refused_whatever_their_order()
    {
        var ex = Assert.Throws<InferenceException>(() => Floats(
            """{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,2],"parameters":{"binary_data_size":8}}]}"""));
        Assert.Contains("has both 'data' and binary_data_size", ex.Message, StringComparison.Ordinal);
    }
}
