using Modelhost.Jobs;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows.Tests;

public sealed class OutputFilesTests
{
    [Fact]
    public void A_job_may_replace_its_own_earlier_output_and_no_other()
    {
        var data = Directory.CreateTempSubdirectory("modelhost-outputs-").FullName;
        try
        {
            var options = new JobsOptions { DataDirectory = data };
            var path = OutputFiles.Resolve(options, "p.csv", jobId: 7);
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, ".p.tmp");
            File.WriteAllText(temporary, "first");
            OutputFiles.Publish(temporary, path, jobId: 7);

            Assert.Equal(path, OutputFiles.Resolve(options, "p.csv", jobId: 7));
            File.WriteAllText(temporary, "retry");
            OutputFiles.Publish(temporary, path, jobId: 7);
            Assert.Equal("retry", File.ReadAllText(path));

            Assert.Throws<PermanentJobFailureException>(() => OutputFiles.Resolve(options, "p.csv", jobId: 8));
            File.WriteAllText(temporary, "other");
            Assert.Throws<PermanentJobFailureException>(() => OutputFiles.Publish(temporary, path, jobId: 8));
            Assert.Equal("retry", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void An_existing_output_is_refused_at_submission_as_a_conflict_naming_the_file()
    {
        var data = Directory.CreateTempSubdirectory("modelhost-outputs-").FullName;
        try
        {
            var options = new JobsOptions { DataDirectory = data };
            Directory.CreateDirectory(Path.Combine(data, OutputFiles.DirectoryName));
            File.WriteAllText(Path.Combine(data, OutputFiles.DirectoryName, "kept.csv"), "x");

            var refused = Assert.Throws<JobException>(() => OutputFiles.CheckAtSubmission(options, "kept.csv"));

            Assert.Equal(JobErrorKind.Conflict, refused.Kind);
            Assert.Contains("'kept.csv'", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
