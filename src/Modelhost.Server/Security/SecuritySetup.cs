using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Modelhost.Server.Security;

/// <summary>Registers and orders the security pieces: keys, roles as policies, Host and Content-Type checks, CORS, audit.</summary>
internal static class SecuritySetup
{
    private const string CorsPolicy = "config";
    private const string EitherScheme = "KeyOrToken";

    public static void AddSecurity(IServiceCollection services, ServerOptions options)
    {
        var security = options.Security;
        services.AddSingleton(new KeyRing(security.Keys, tokens: security.Jwt is not null));
        var authentication = services.AddAuthentication(security.Jwt is null ? ApiKeyAuthenticationHandler.SchemeName : EitherScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        if (security.Jwt is { } jwt)
        {
            // One scheme in front that hands a request to the JWT handler when it carries a token, else to the key handler.
            authentication.AddPolicyScheme(EitherScheme, displayName: null, either => either.ForwardDefaultSelector =
                context => JwtSetup.CarriesJwt(context.Request) ? JwtSetup.SchemeName : ApiKeyAuthenticationHandler.SchemeName);
            JwtSetup.Add(authentication, jwt);
        }

        var policies = services.AddAuthorizationBuilder();
        foreach (var role in Roles.All)
        {
            var name = Roles.Name(role);
            policies.AddPolicy(name, policy => policy.RequireRole(name));
        }

        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, SecurityResultHandler>();
        if (security.ConfigPath is not null)
        {
            services.AddHostedService<KeyFileWatcher>();
        }

        if (security.CorsOrigins.Count > 0)
        {
            services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins([.. security.CorsOrigins])
                .WithHeaders("Content-Type", "Authorization", ApiKeyHeader.TokenHeader, "Inference-Header-Content-Length")
                .WithMethods("GET", "POST", "DELETE")
                .WithExposedHeaders("Inference-Header-Content-Length", "Retry-After", "Location")));
        }
    }

    /// <summary>Adds the middleware; call after <c>UseRouting</c>, before the endpoints run.</summary>
    public static void UseSecurity(WebApplication app, ServerOptions options)
    {
        app.UseMiddleware<HostFilterMiddleware>();
        if (options.Security.CorsOrigins.Count > 0)
        {
            app.UseCors(CorsPolicy);
        }

        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthentication();

        // After authentication, so that a key's requests share its bucket; before authorization, so that a client
        // guessing keys is slowed down by its address's bucket. Off (the default), the middleware is left out: it
        // would allocate a lease per request for nothing.
        if (options.Limits.RatePerSecond > 0)
        {
            app.UseRateLimiter();
        }
        app.UseAuthorization();
        app.UseMiddleware<ContentTypeGuardMiddleware>();
    }

    /// <summary>Marks a route as needing <paramref name="role"/> (or a role above it).</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Roles.Name(role));

    /// <summary>Marks a route as open to everyone: the health probes.</summary>
    public static TBuilder Open<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowAnonymousAttribute());
}
