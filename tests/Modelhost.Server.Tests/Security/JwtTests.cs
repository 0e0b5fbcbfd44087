using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Security;

/// <summary>Bearer tokens from an OIDC issuer: a key pair made here plays the issuer.</summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string Issuer = "https://issuer.test/";
    private const string Audience = "modelhost";

    private readonly TempRepository _repository = new TempRepository().AddIris();
    private readonly RSA _issuerKey = RSA.Create(2048);
    private readonly TestKeys _keys = new();
    private RunningServer? _server;

    public async Task InitializeAsync()
    {
        var pem = Path.Combine(_repository.Root, "issuer.pem");
        await File.WriteAllTextAsync(pem, _issuerKey.ExportSubjectPublicKeyInfoPem());
        _server = await RunningServer.StartAsync(_repository.Root, o =>
        {
            o.Security.Jwt = new JwtOptions { Issuer = Issuer, Audience = Audience, SigningKeyFiles = [pem] };
            o.Security.Keys = [_keys.Stored[0]];
        });
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        _issuerKey.Dispose();
        _repository.Dispose();
    }

    [Fact]
    public async Task A_valid_token_gets_the_highest_role_its_roles_claim_names_and_its_subject_is_the_callers_name()
    {
        var token = Token(_issuerKey, roles: ["infer", "manage"]);
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/v2/models/iris", token));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/v2/repository/index", token));

        var inferOnly = Token(_issuerKey, roles: ["infer"], subject: "dashboard");
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/v2/models/iris", inferOnly));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/repository/index") { Content = RunningServer.Json("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", inferOnly);
        using var forbidden = await _server!.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("'dashboard' has the infer role", await RunningServer.ErrorOf(forbidden), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_foreign_or_misaddressed_tokens_get_401_and_a_token_without_roles_gets_403()
    {
        using var stranger = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/iris", Token(stranger, roles: ["admin"])));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/iris", Token(_issuerKey, roles: ["admin"], expires: DateTime.UtcNow.AddMinutes(-10))));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/iris", Token(_issuerKey, roles: ["admin"], audience: "someone-else")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/iris", Token(_issuerKey, roles: ["admin"], issuer: "https://evil.test/")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/v2/models/iris", Token(_issuerKey, roles: ["superuser"])));
    }

    [Fact]
    public async Task Api_keys_still_work_beside_tokens_and_there_is_no_anonymous_access()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2/models/iris"))
        {
            request.Headers.Add("X-Api-Token", _keys.Clear[Role.Infer]);
            using var response = await _server!.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/iris", token: null));
    }

    private static string Token(RSA key, string[] roles, string subject = "ci-pipeline", DateTime? expires = null, string audience = Audience, string issuer = Issuer)
    {
        var notBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-30);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", subject), .. roles.Select(r => new Claim("roles", r))]),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private async Task<HttpStatusCode> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _server!.Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> PostAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = RunningServer.Json("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _server!.Client.SendAsync(request);
        return response.StatusCode;
    }
}
