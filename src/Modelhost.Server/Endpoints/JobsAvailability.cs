using Microsoft.AspNetCore.Http;
using Modelhost.Jobs;
using Modelhost.Server.Http;
using Modelhost.Workflows;

namespace Modelhost.Server.Endpoints;

/// <summary>The job store and the pipeline's tables for a request, or a 503 while jobs are off.</summary>
internal static class JobsAvailability
{
    private const string Disabled = "jobs are not enabled on this server";

    public static JobStore RequireStore(this JobsHost jobs) =>
        jobs.Store ?? throw new HttpError(StatusCodes.Status503ServiceUnavailable, Disabled);

    public static ForecastTables RequireTables(this JobsHost jobs) =>
        jobs.Tables ?? throw new HttpError(StatusCodes.Status503ServiceUnavailable, Disabled);
}
