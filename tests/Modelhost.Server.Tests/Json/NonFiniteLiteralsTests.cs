using System.Text;
using System.Text.Json;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

public sealed class NonFiniteLiteralsTests
{
    [Theory]
    [InlineData("[NaN, 1, Infinity, -Infinity]", "[\"NaN\", 1, \"Infinity\", \"-Infinity\"]")]
    [InlineData("{\"a\":NaN,\"b\":[-Infinity]}", "{\"a\":\"NaN\",\"b\":[\"-Infinity\"]}")]
    [InlineData("NaN", "\"NaN\"")]
    [InlineData("[1, 2]", "[1, 2]")]
    // Inside strings nothing is touched, escaped quotes and backslashes included.
    [InlineData("{\"NaN\":\"Infinity -Infinity\",\"x\":[NaN]}", "{\"NaN\":\"Infinity -Infinity\",\"x\":[\"NaN\"]}")]
    [InlineData("[\"a\\\" NaN\", NaN, \"\\\\\", Infinity]", "[\"a\\\" NaN\", \"NaN\", \"\\\\\", \"Infinity\"]")]
    [InlineData("{\"INT64\":NaN}", "{\"INT64\":\"NaN\"}")]
    // Not JSON before, not JSON after: the second parse fails as the first did.
    [InlineData("[NaNa, Infinityx]", "[\"NaN\"a, \"Infinity\"x]")]
    [InlineData("[\"unterminated NaN", "[\"unterminated NaN")]
    public void Quote_puts_every_bare_literal_outside_strings_in_quotes(string json, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var count = NonFiniteLiterals.Count(bytes);
        var destination = new byte[bytes.Length + (2 * count)];
        var written = NonFiniteLiterals.Quote(bytes, destination);
        Assert.Equal(destination.Length, written);
        Assert.Equal(expected, Encoding.UTF8.GetString(destination));
    }

    [Theory]
    [InlineData("\"NaN\"", double.NaN)]
    [InlineData("\"Infinity\"", double.PositiveInfinity)]
    [InlineData("\"-Infinity\"", double.NegativeInfinity)]
    public void TryRead_takes_the_quoted_literals_as_their_values(string json, double expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        Assert.True(NonFiniteLiterals.TryRead(ref reader, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("\"nan\"")]
    [InlineData("\"Inf\"")]
    [InlineData("\"\\u004EaN\"")]
    [InlineData("\"NaN \"")]
    [InlineData("1")]
    [InlineData("null")]
    public void TryRead_refuses_every_other_token(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        Assert.False(NonFiniteLiterals.TryRead(ref reader, out _));
    }
}
