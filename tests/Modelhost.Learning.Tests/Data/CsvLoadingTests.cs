using Modelhost.Learning.Data;

namespace Modelhost.Learning.Tests.Data;

public sealed class CsvLoadingTests
{
    [Fact]
    public void Iris_loads_150_rows_of_four_features_and_three_classes_sorted_by_name()
    {
        TabularDataset iris = TabularFixtures.Iris();

        Assert.Equal(TargetKind.Classification, iris.TargetKind);
        Assert.Equal("species", iris.TargetName);
        Assert.Equal(150, iris.RowCount);
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], iris.FeatureNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.ClassLabels);
        Assert.Equal(600, iris.Features.Length);
        Assert.Equal([5.1, 3.5, 1.4, 0.2], iris.GetRow(0).ToArray());
        Assert.Equal(0, iris.ClassIds.Span[0]);
        Assert.Equal(2, iris.ClassIds.Span[149]);
        Assert.True(iris.Targets.IsEmpty);
    }

    [Fact]
    public void Wine_loads_thirteen_features_and_numeric_cultivars_as_class_labels()
    {
        TabularDataset wine = TabularFixtures.Wine();

        Assert.Equal(178, wine.RowCount);
        Assert.Equal(13, wine.FeatureCount);
        Assert.Equal("od280/od315_of_diluted_wines", wine.FeatureNames[11]);
        Assert.Equal(["0", "1", "2"], wine.ClassLabels);
        Assert.Equal([59, 71, 48], Enumerable.Range(0, 3).Select(k => wine.ClassIds.ToArray().Count(c => c == k)));
    }

    [Fact]
    public void Numeric_labels_sort_numerically_and_equal_numbers_are_one_class()
    {
        TabularDataset data = Load("x,y\n1,10\n2,9\n3,1.0\n4,1\n5,-2\n");

        Assert.Equal(["-2", "1", "9", "10"], data.ClassLabels);
        Assert.Equal([3, 2, 1, 1, 0], data.ClassIds.ToArray());
    }

    [Fact]
    public void Text_labels_sort_ordinally_as_scikit_learn_label_encoder_does()
    {
        TabularDataset data = Load("x,y\n1,b\n2,a\n3,B\n4,10\n5,9\n");

        Assert.Equal(["10", "9", "B", "a", "b"], data.ClassLabels);
        Assert.Equal([4, 3, 2, 0, 1], data.ClassIds.ToArray());
    }

    [Fact]
    public void Quoted_fields_may_hold_delimiters_doubled_quotes_and_line_breaks()
    {
        const string csv = "\"width, cm\",\"label\"\r\n1.5,\"a \"\"quoted\"\", label\"\r\n\"2\",\"two\r\nlines\"\r\n3,plain\r\n";

        TabularDataset data = Load(csv, "label");

        Assert.Equal(["width, cm"], data.FeatureNames);
        Assert.Equal(["a \"quoted\", label", "plain", "two\r\nlines"], data.ClassLabels);
        Assert.Equal([1.5, 2, 3], data.Features.ToArray());
    }

    [Fact]
    public void A_byte_order_mark_blank_lines_and_a_missing_final_line_break_are_accepted()
    {
        TabularDataset data = Load("\uFEFFx,y\n\n1,a\n\n2,b");

        Assert.Equal(["x"], data.FeatureNames);
        Assert.Equal(2, data.RowCount);
    }

    [Fact]
    public void The_target_may_be_any_column_and_a_regression_target_is_read_as_numbers()
    {
        TabularDataset data = Load("y,a,b\n1.5,1,2\n-2e3,3,4\n", "y", TargetKind.Regression);

        Assert.Equal(TargetKind.Regression, data.TargetKind);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1.5, -2000], data.Targets.ToArray());
        Assert.Equal([1.0, 2, 3, 4], data.Features.ToArray());
        Assert.Empty(data.ClassLabels);
    }

    [Fact]
    public void Another_delimiter_can_be_chosen()
    {
        TabularDataset data = Load("x;y\n1.5;a,b\n2;c\n", options: new CsvLoadOptions { Delimiter = ';' });

        Assert.Equal([1.5, 2], data.Features.ToArray());
        Assert.Equal(["a,b", "c"], data.ClassLabels);
    }

    [Fact]
    public void An_empty_feature_value_is_reported_with_its_row_line_and_column()
    {
        var error = LoadFails("a,b,y\n1,2,x\n3,,z\n");

        Assert.Equal("Row 2 (line 3), column 'b': the value is missing.", error.Message);
        Assert.Equal(2, error.Row);
        Assert.Equal(3, error.Line);
        Assert.Equal("b", error.Column);
    }

    [Theory]
    [InlineData("NA")]
    [InlineData("nan")]
    [InlineData("?")]
    [InlineData("null")]
    public void Missing_value_markers_are_reported_as_missing(string marker)
    {
        var error = LoadFails($"a,y\n1,x\n{marker},z\n");

        Assert.Equal("Row 2 (line 3), column 'a': the value is missing.", error.Message);
    }

    [Fact]
    public void A_non_numeric_feature_names_the_value_row_and_column()
    {
        var error = LoadFails("a,b,y\n1,2,x\n3,four,z\n");

        Assert.Equal("Row 2 (line 3), column 'b': not a number.", error.Message);
        Assert.Equal("b", error.Column);
    }

    [Fact]
    public void A_feature_outside_the_float_range_is_rejected()
    {
        var error = LoadFails("a,y\n1e39,x\n2,y\n");

        Assert.Contains("Row 1 (line 2), column 'a': outside the 32-bit float range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_target_value_is_reported_with_its_row()
    {
        var error = LoadFails("a,y\n1,x\n2,\n");

        Assert.Equal("Row 2 (line 3), column 'y': the target value is missing.", error.Message);
    }

    [Fact]
    public void A_non_numeric_regression_target_is_reported()
    {
        var error = LoadFails("a,y\n1,2\n2,high\n", kind: TargetKind.Regression);

        Assert.Equal("Row 2 (line 3), column 'y': not a number.", error.Message);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,x\n3,4\n", "Row 2 (line 3) has 2 fields, but the header has 3 columns.")]
    [InlineData("a,b,y\n1,2,x\n3,4,z,5\n", "Row 2 (line 3) has 4 fields, but the header has 3 columns.")]
    public void A_ragged_row_names_its_row_and_field_count(string csv, string message)
    {
        var error = LoadFails(csv);

        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.Row);
    }

    [Fact]
    public void Line_numbers_count_line_breaks_inside_quoted_fields()
    {
        var error = LoadFails("a,y\n1,\"x\ny\"\n2\n");

        Assert.Equal("Row 2 (line 4) has 1 fields, but the header has 2 columns.", error.Message);
    }

    [Fact]
    public void A_missing_target_column_lists_the_columns_there_are()
    {
        var error = LoadFails("a,b,label\n1,2,x\n", target: "species");

        Assert.Equal("There is no target column 'species' in the header; the columns are 'a', 'b', 'label'.", error.Message);
        Assert.Equal("species", error.Column);
    }

    [Fact]
    public void A_target_with_a_single_class_is_rejected()
    {
        var error = LoadFails("a,y\n1,x\n2,x\n");

        Assert.Equal("The target column 'y' has a single class; classification needs at least two.", error.Message);
    }

    [Theory]
    [InlineData("", "The file is empty; a header row naming the columns is expected.")]
    [InlineData("a,y\n", "The file has a header but no data rows.")]
    [InlineData("y\n1\n", "The file has only the target column 'y'; at least one feature column is needed.")]
    [InlineData("a,a,y\n1,2,x\n", "Line 1: the header names column 'a' twice (columns 1 and 2).")]
    [InlineData("a,,y\n1,2,x\n", "Line 1: column 2 of the header has no name.")]
    [InlineData("a,y\n1,\"x\n", "Line 2: a quoted field is not closed before the end of the file.")]
    [InlineData("a,y\n1,\"x\"z\n", "Line 2: unexpected 'z' after the closing quote of field 2; a quoted field must end at a delimiter or a line break.")]
    public void Malformed_files_are_rejected_with_a_clear_message(string csv, string message)
    {
        var error = LoadFails(csv);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void More_rows_than_the_limit_are_rejected()
    {
        var error = LoadFails("a,y\n1,x\n2,y\n3,z\n", options: new CsvLoadOptions { MaxRows = 2 });

        Assert.Equal("Row 3 (line 4): the file has more than the limit of 2 data rows.", error.Message);
    }

    [Fact]
    public void More_columns_than_the_limit_are_rejected()
    {
        var error = LoadFails("a,b,c,y\n1,2,3,x\n", options: new CsvLoadOptions { MaxColumns = 3 });

        Assert.Equal("Line 1: the header has 4 columns, more than the limit of 3.", error.Message);
    }

    [Fact]
    public void Text_longer_than_the_size_limit_is_rejected()
    {
        string csv = "a,y\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},x{i % 2}\n"));

        var error = LoadFails(csv, options: new CsvLoadOptions { MaxFileBytes = 100 });

        Assert.Equal("The file is larger than the limit of 100 bytes.", error.Message);
    }

    [Fact]
    public void A_file_larger_than_the_size_limit_is_rejected_before_reading()
    {
        var error = Assert.Throws<DatasetFormatException>(
            () => TabularDataset.LoadCsv(TabularFixtures.IrisPath, "species", options: new CsvLoadOptions { MaxFileBytes = 1000 }));

        Assert.StartsWith("The file 'iris.csv' is ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_cannot_be_the_delimiter()
    {
        Assert.Throws<ArgumentException>(() => Load("a,y\n1,x\n", options: new CsvLoadOptions { Delimiter = '"' }));
    }

    private static TabularDataset Load(
        string csv,
        string target = "y",
        TargetKind kind = TargetKind.Classification,
        CsvLoadOptions? options = null)
    {
        using var reader = new StringReader(csv);
        return TabularDataset.LoadCsv(reader, target, kind, options);
    }

    private static DatasetFormatException LoadFails(
        string csv, string target = "y", TargetKind kind = TargetKind.Classification, CsvLoadOptions? options = null) =>
        Assert.Throws<DatasetFormatException>(() => Load(csv, target, kind, options));
}
