using Modelhost.Core.Repository;

namespace Modelhost.Core.Tests.Repository;

public sealed class RealPathTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Resolve_resolves_dot_dot_after_a_link_from_the_link_target()
    {
        string target = _temp.CreateDirectory("b/c");
        Directory.CreateSymbolicLink(_temp.Combine("a"), target);
        string realTemp = RealPath.Resolve(_temp.Path)!;

        Assert.Equal(Path.Combine(realTemp, "b", "x"), RealPath.Resolve(Path.Combine(_temp.Path, "a", "..", "x")));
    }

    [Fact]
    public void Resolve_follows_chains_of_relative_links()
    {
        string target = _temp.CreateDirectory("real");
        Directory.CreateSymbolicLink(_temp.Combine("one"), "two");
        Directory.CreateSymbolicLink(_temp.Combine("two"), "real");
        string realTemp = RealPath.Resolve(_temp.Path)!;

        Assert.Equal(Path.Combine(realTemp, "real", "file"), RealPath.Resolve(Path.Combine(_temp.Path, "one", "file")));
        Assert.Equal(Path.Combine(realTemp, "real"), RealPath.Resolve(target));
    }

    [Fact]
    public void Resolve_gives_null_for_a_link_loop()
    {
        Directory.CreateSymbolicLink(_temp.Combine("ping"), "pong");
        Directory.CreateSymbolicLink(_temp.Combine("pong"), "ping");

        Assert.Null(RealPath.Resolve(_temp.Combine("ping")));
    }

    [Theory]
    [InlineData("/srv/models", "/srv/models", true)]
    [InlineData("/srv/models/iris", "/srv/models", true)]
    [InlineData("/srv/models/iris", "/srv/models/", true)]
    [InlineData("/srv/models-old/iris", "/srv/models", false)]
    [InlineData("/srv", "/srv/models", false)]
    [InlineData("/anything", "/", true)]
    public void IsWithin_compares_whole_path_components(string path, string root, bool expected)
    {
        Assert.Equal(expected, RealPath.IsWithin(path, root));
    }
}
