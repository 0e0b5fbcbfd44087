using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Hosting;

namespace Modelhost.Server.Http;

/// <summary>The services and middleware behind <c>limits:</c>: the rate limiter, the request timeout, form sizes, the image budget.</summary>
internal static class LimitsSetup
{
    public static void AddServices(IServiceCollection services, ServerOptions options)
    {
        var limits = options.Limits;
        services.AddRateLimiter(rate => RateLimiting.Configure(rate, limits));
        services.AddSingleton(provider => new ImageBudget(limits, provider.GetService<TimeProvider>() ?? TimeProvider.System));

        // The GC collects only when something allocates: after a burst, an idle server would keep its garbage.
        services.AddHostedService(provider => new IdleMemoryTrimmer(provider.GetService<TimeProvider>() ?? TimeProvider.System));

        // Multipart image uploads are bounded by limits.image_bytes, not by the form reader's own default.
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = Math.Max(form.MultipartBodyLengthLimit, limits.ImageBytes));
    }

    /// <summary>The request timeout; call it after routing. The rate limiter is added apart, after authentication.</summary>
    public static void UseMiddleware(IApplicationBuilder app, ServerOptions options) => RequestTimeouts.Use(app, options);
}
