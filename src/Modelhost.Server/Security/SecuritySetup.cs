using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Modelhost.Server.Security;

/// <summary>Registers and orders the security pieces: keys, roles on routes, Host and Content-Type checks, CORS, audit.</summary>
internal static class SecuritySetup
{
    private const string CorsPolicy = "config";

    public static void AddSecurity(IServiceCollection services, ServerOptions options)
    {
        var security = options.Security;
        services.AddSingleton(new KeyRing(security.Keys, tokens: security.Jwt is not null));
        if (security.Jwt is { } jwt)
        {
            // Only for requests that carry a JWT: CallerMiddleware calls the JwtBearer handler by its scheme's name.
            JwtSetup.Add(services.AddAuthentication(), jwt);
        }

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
        app.UseMiddleware<CallerMiddleware>();

        // After the caller is known, so that a key's requests share its bucket; before the role check, so that a client
        // guessing keys is slowed down by its address's bucket. Off (the default), the middleware is left out: it
        // would allocate a lease per request for nothing.
        if (options.Limits.RatePerSecond > 0)
        {
            app.UseRateLimiter();
        }

        app.UseMiddleware<AccessMiddleware>();
        app.UseMiddleware<ContentTypeGuardMiddleware>();
    }

    /// <summary>
    /// Marks a route as needing <paramref name="role"/> (or a role above it). Only Modelhost's own metadata: ASP.NET
    /// Core's authorization metadata would make the endpoint middleware demand its authorization middleware.
    /// </summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RouteRole.For(role));

    /// <summary>Marks a route as open to everyone: the health probes.</summary>
    public static TBuilder Open<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RouteRole.Open);
}
