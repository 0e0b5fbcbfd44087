using Microsoft.AspNetCore.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Tests.Security;

/// <summary>The Host check reads the name out of the header without allocating, and must split it as ASP.NET Core does.</summary>
public sealed class HostNameTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("localhost:8080", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("[::1]", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("evil.example:80", true)]
    [InlineData("", true)]
    [InlineData("::1", false)]
    [InlineData("xn--bcher-kva.example", false)]
    public void The_host_name_is_the_header_without_its_port_as_HostString_gives_it_or_left_to_HostString(string header, bool readInPlace)
    {
        Assert.Equal(readInPlace, HostFilterMiddleware.TryHostName(header, out var name));
        if (readInPlace)
        {
            Assert.Equal(HostString.FromUriComponent(header).Host, name.ToString());
        }
    }
}
