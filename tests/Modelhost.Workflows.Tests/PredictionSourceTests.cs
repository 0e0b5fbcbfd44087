namespace Modelhost.Workflows.Tests;

public sealed class PredictionSourceTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"modelhost-predict-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task A_csv_file_is_read_with_quoted_fields_and_blank_lines_skipped_and_counted_up_front()
    {
        File.WriteAllText(_path, "id,note\r\n1,\"a, \"\"quoted\"\"\nnote\"\n\n2,plain\n");

        await using var source = PredictionSource.OpenCsv(_path, CancellationToken.None);

        Assert.Equal(["id", "note"], source.Columns);
        Assert.Equal(2, source.Total);
        Assert.Equal(["1", "a, \"quoted\"\nnote"], await source.ReadAsync(CancellationToken.None));
        Assert.Equal("line 2", source.Position);
        Assert.Equal(["2", "plain"], await source.ReadAsync(CancellationToken.None));
        Assert.Equal("line 5", source.Position);
        Assert.Null(await source.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_fields_is_refused_naming_its_line()
    {
        File.WriteAllText(_path, "a,b\n1,2\n3\n");

        await using var source = PredictionSource.OpenCsv(_path, CancellationToken.None);
        await source.ReadAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAnyAsync<FormatException>(async () => await source.ReadAsync(CancellationToken.None));

        Assert.Equal("line 3: 1 fields, but the header names 2 columns", refused.Message);
    }

    [Fact]
    public void A_quoted_field_left_open_is_refused_naming_its_line()
    {
        File.WriteAllText(_path, "a,b\n1,\"open\n");

        var refused = Assert.ThrowsAny<FormatException>(() => PredictionSource.OpenCsv(_path, CancellationToken.None));

        Assert.Contains("Line 2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_refused_saying_that_the_first_line_names_the_columns()
    {
        File.WriteAllText(_path, "");

        var refused = Assert.Throws<FormatException>(() => PredictionSource.OpenCsv(_path, CancellationToken.None));

        Assert.Contains("first line must name the columns", refused.Message, StringComparison.Ordinal);
    }
}
