namespace Modelhost.Onnx.Tests;

public class DimTests
{
    [Fact]
    public void Implicit_conversions_make_fixed_and_symbolic_dims()
    {
        Dim fromInt = 4;
        Dim fromLong = 5L;
        Dim fromString = "N";

        Assert.True(fromInt.IsFixed);
        Assert.Equal(4, fromInt.Value);
        Assert.Null(fromInt.Name);
        Assert.Equal(5, fromLong.Value);
        Assert.True(fromString.IsSymbolic);
        Assert.False(fromString.IsFixed);
        Assert.Equal("N", fromString.Name);
        Assert.Equal(-1, fromString.Value);
    }

    [Fact]
    public void Default_dim_is_unknown()
    {
        var dim = default(Dim);

        Assert.True(dim.IsUnknown);
        Assert.Equal(Dim.Unknown, dim);
        Assert.False(dim.IsFixed);
        Assert.False(dim.IsSymbolic);
        Assert.Equal(-1, dim.Value);
        Assert.Equal("?", dim.ToString());
    }

    [Fact]
    public void Fixed_zero_is_not_unknown()
    {
        Assert.True(Dim.Fixed(0).IsFixed);
        Assert.NotEqual(Dim.Unknown, Dim.Fixed(0));
        Assert.Equal("0", Dim.Fixed(0).ToString());
    }

    [Fact]
    public void Equality_compares_kind_value_and_name()
    {
        Assert.Equal(Dim.Fixed(3), (Dim)3);
        Assert.True(Dim.Symbolic("N") == "N");
        Assert.True(Dim.Symbolic("N") != "M");
        Assert.NotEqual(Dim.Fixed(3), Dim.Fixed(4));
        Assert.Equal(Dim.Symbolic("N").GetHashCode(), ((Dim)"N").GetHashCode());
    }

    [Fact]
    public void Invalid_dims_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dim.Fixed(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => { Dim d = -2; });
        Assert.Throws<ArgumentException>(() => Dim.Symbolic(""));
        Assert.Throws<ArgumentException>(() => Dim.Symbolic("  "));
        Assert.Throws<ArgumentNullException>(() => Dim.Symbolic(null!));
    }
}
