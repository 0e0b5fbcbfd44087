using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Modelhost.Tests;

public sealed partial class ProjectGraphTests
{
    [Fact]
    public void The_project_graph_in_DEVELOPERS_md_matches_the_project_references_of_src()
    {
        var root = RepositoryRoot();
        var fromProjects = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .Order(StringComparer.Ordinal);
            fromProjects[Path.GetFileNameWithoutExtension(project)] = string.Join(", ", references);
        }

        var fromTable = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var text = File.ReadAllText(Path.Combine(root, "DEVELOPERS.md"));
        var section = text[text.IndexOf("### Project graph", StringComparison.Ordinal)..];
        foreach (Match row in TableRow().Matches(section))
        {
            var references = row.Groups["references"].Value
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Order(StringComparer.Ordinal);
            fromTable[row.Groups["project"].Value] = string.Join(", ", references);
        }

        Assert.Equal(fromProjects, fromTable);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Modelhost.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("no Modelhost.slnx above " + AppContext.BaseDirectory);
    }

    // | Modelhost.Core | Modelhost.OnnxRuntime, Modelhost.Vision | why |
    [GeneratedRegex(@"^\| (?<project>Modelhost[\w.]*) \|(?<references>[^|]*)\|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
