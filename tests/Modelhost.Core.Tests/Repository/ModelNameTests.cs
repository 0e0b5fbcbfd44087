using Modelhost.Core.Repository;

namespace Modelhost.Core.Tests.Repository;

public sealed class ModelNameTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("Iris_v2.onnx-model")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("...")]
    [InlineData(".hidden")]
    public void IsValid_accepts_1_to_64_of_letters_digits_underscore_dot_and_dash(string name)
    {
        Assert.True(ModelName.IsValid(name));
        Assert.True(ModelName.TryValidate(name, out string? error));
        Assert.Null(error);
        ModelName.Validate(name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("x/y")]
    [InlineData("x\\y")]
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("a:b")]
    public void IsValid_rejects_anything_else(string? name)
    {
        Assert.False(ModelName.IsValid(name));
        Assert.False(ModelName.TryValidate(name, out string? error));
        Assert.NotNull(error);
        Assert.Throws<ArgumentException>(() => ModelName.Validate(name));
    }

    [Fact]
    public void IsValid_accepts_64_characters_but_not_65()
    {
        Assert.True(ModelName.IsValid(new string('a', 64)));
        Assert.False(ModelName.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Validate_says_what_is_allowed()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelName.Validate("x/y"));
        Assert.StartsWith("model name 'x/y' is invalid: use 1-64 of A-Z a-z 0-9 _ . -", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_explains_that_dot_and_dot_dot_are_excluded()
    {
        Assert.False(ModelName.TryValidate("..", out string? error));
        Assert.Equal("model name '..' is invalid: use 1-64 of A-Z a-z 0-9 _ . -, other than '.' and '..'", error);
    }

    [Fact]
    public void TryValidate_escapes_control_characters_and_caps_the_length_in_its_message()
    {
        Assert.False(ModelName.TryValidate("a\nb" + new string('c', 200), "label name", out string? error));
        Assert.StartsWith("label name 'a\\u000ab", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("…'", error, StringComparison.Ordinal);
    }
}
