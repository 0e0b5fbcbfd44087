using Modelhost.Core.Models;
using Modelhost.Server.Http;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// Triton's repository index, one answer for HTTP (<c>POST /v2/repository/index</c>) and gRPC (<c>RepositoryIndex</c>):
/// the repository's folders read again, a row per version (a model without versions gets one row, UNAVAILABLE, saying
/// why), the reasons with the server's own directories taken out of file names.
/// </summary>
internal static class RepositoryIndex
{
    /// <summary>The rows, sorted by model name; with <paramref name="readyOnly"/> (Triton's <c>ready</c>) only READY versions.</summary>
    public static List<Row> Read(ModelRepositoryManager manager, ServerOptions options, bool readyOnly)
    {
        var index = manager.Rescan();

        // Two models marked default: true is a config error of each of them.
        var severalDefaults = manager.DefaultModel is null && manager.DefaultModelProblem is { } problem && problem.StartsWith("models ", StringComparison.Ordinal)
            ? problem
            : null;
        var rows = new List<Row>(index.Count);
        foreach (var model in index)
        {
            var modelProblem = severalDefaults is not null && model.Config.IsDefault ? severalDefaults : null;
            if (model.Versions.Count == 0)
            {
                if (!readyOnly)
                {
                    var reason = model.IsUnloaded ? "unloaded" : model.NotLoadedReason ?? model.ConfigError ?? model.ReadError ?? modelProblem ?? "no versions";
                    rows.Add(new Row(model.Name, null, "UNAVAILABLE", ErrorResponses.RelativePaths(reason, options)));
                }

                continue;
            }

            foreach (var version in model.Versions)
            {
                if (readyOnly && version.State != ModelVersionState.Ready)
                {
                    continue;
                }

                var reason = string.IsNullOrEmpty(version.Reason) ? modelProblem ?? string.Empty : version.Reason;
                rows.Add(new Row(model.Name, RouteValues.VersionText(version.Version), ModelListEndpoint.VersionState(version.State), ErrorResponses.RelativePaths(reason, options)));
            }
        }

        return rows;
    }

    /// <summary>One row: the version is null for a model that has none.</summary>
    internal readonly record struct Row(string Name, string? Version, string State, string Reason);
}
