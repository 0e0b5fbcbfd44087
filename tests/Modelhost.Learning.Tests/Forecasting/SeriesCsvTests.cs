using Modelhost.Learning.Data;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class SeriesCsvTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", name);

    private static SeriesCsvData Read(string text, SeriesCsvOptions? options = null) =>
        SeriesCsv.Load(new StringReader(text), "single", options);

    private static DatasetFormatException ReadFails(string text, SeriesCsvOptions? options = null) =>
        Assert.Throws<DatasetFormatException>(() => Read(text, options));

    [Fact]
    public void A_long_format_file_gives_one_series_per_key_in_order_of_appearance()
    {
        var data = SeriesCsv.Load(Fixture("eu_stock_markets.csv"));

        Assert.True(data.IsLongFormat);
        Assert.Equal(TimestampPrecision.Date, data.Precision);
        Assert.Equal(["DE", "CH", "FR", "GB"], data.Series.Select(s => s.Name));
        Assert.All(data.Series, s => Assert.Equal(1860, s.Count));
        var de = data.Find("DE")!;
        Assert.Equal(new DateTime(1991, 7, 1), de.Timestamps[0]);
        Assert.Equal(1628.75, de.Values[0]);
        Assert.Equal(SeriesFixtures.EuStockMarket("DE").Values, de.Values);
        Assert.Null(data.Find("SMI"));
    }

    [Fact]
    public void A_two_column_file_is_one_series_named_after_the_file_with_month_timestamps()
    {
        var data = SeriesCsv.Load(Fixture("air_passengers.csv"));

        Assert.False(data.IsLongFormat);
        Assert.Equal(TimestampPrecision.Month, data.Precision);
        var series = Assert.Single(data.Series);
        Assert.Equal("air_passengers", series.Name);
        Assert.Equal(144, series.Count);
        Assert.Equal(new DateTime(1949, 1, 1), series.Timestamps[0]);
        Assert.Equal(new DateTime(1960, 12, 1), series.Timestamps[^1]);
        Assert.Equal(SeriesFixtures.AirPassengerValues, series.Values);
        Assert.Equal(12, SeasonalPeriod.FromTimestamps(series.Timestamps));
    }

    [Fact]
    public void Long_format_columns_are_found_by_name_in_any_order_and_rows_are_sorted_by_time()
    {
        var data = Read("VALUE,Series_Key,TS\n3,b,2020-01-03\n1,a,2020-01-02\n2,b,2020-01-01\n0,a,2020-01-01\n5,b,2020-01-02\n");

        Assert.Equal(["b", "a"], data.Series.Select(s => s.Name));
        Assert.Equal([2.0, 5.0, 3.0], data.Series[0].Values);
        Assert.Equal([0.0, 1.0], data.Series[1].Values);
        Assert.Equal(new DateTime(2020, 1, 1), data.Series[0].Timestamps[0]);
    }

    [Fact]
    public void Three_columns_with_other_names_are_key_timestamp_value_in_that_order()
    {
        var data = Read("store,day,sales\n\"north, main\",2020-01-01,10\nsouth,2020-01-01,4\n\n\"north, main\",2020-01-02,11\n");

        Assert.Equal(["north, main", "south"], data.Series.Select(s => s.Name));
        Assert.Equal([10.0, 11.0], data.Series[0].Values);
    }

    [Fact]
    public void Date_times_are_read_and_offsets_are_converted_to_utc()
    {
        var data = Read("ts,value\n2024-03-01T13:00,1\n2024-03-01 14:00:00,2\n2024-03-01T15:00:00.5Z,3\n2024-03-01T18:00:00+02:00,4\n");

        Assert.Equal(TimestampPrecision.DateTime, data.Precision);
        Assert.Equal(
            [new DateTime(2024, 3, 1, 13, 0, 0), new DateTime(2024, 3, 1, 14, 0, 0), new DateTime(2024, 3, 1, 15, 0, 0, 500), new DateTime(2024, 3, 1, 16, 0, 0)],
            data.Series[0].Timestamps);
    }

    [Theory]
    [InlineData("1949-01", 1949, 1, 1, TimestampPrecision.Month)]
    [InlineData(" 1991-07-01 ", 1991, 7, 1, TimestampPrecision.Date)]
    [InlineData("2000-02-29T00:00:00", 2000, 2, 29, TimestampPrecision.DateTime)]
    public void Timestamps_parse_as_months_dates_or_date_times(string text, int year, int month, int day, TimestampPrecision precision)
    {
        Assert.True(SeriesCsv.TryParseTimestamp(text, out var t, out var p));
        Assert.Equal(new DateTime(year, month, day), t);
        Assert.Equal(precision, p);
    }

    [Theory]
    [InlineData("1991-13-01")]
    [InlineData("2001-02-29")]
    [InlineData("07/01/1991")]
    [InlineData("1991")]
    [InlineData("yesterday")]
    [InlineData("2024-03-01T25:00")]
    public void Other_text_is_not_a_timestamp(string text) =>
        Assert.False(SeriesCsv.TryParseTimestamp(text, out _, out _));

    [Fact]
    public void Forecast_timestamps_are_written_as_precisely_as_the_file()
    {
        var t = new DateTime(1961, 1, 1);
        Assert.Equal("1961-01", SeriesCsv.FormatTimestamp(t, TimestampPrecision.Month));
        Assert.Equal("1961-01-01", SeriesCsv.FormatTimestamp(t, TimestampPrecision.Date));
        Assert.Equal("1961-01-01T00:00:00", SeriesCsv.FormatTimestamp(t, TimestampPrecision.DateTime));
        Assert.Equal("1961-01-15", SeriesCsv.FormatTimestamp(t.AddDays(14), TimestampPrecision.Month));
    }

    [Theory]
    [InlineData("")]
    [InlineData("NA")]
    [InlineData("nan")]
    [InlineData("null")]
    public void A_missing_value_names_its_row_line_and_column(string missing)
    {
        var ex = ReadFails($"series_key,ts,value\nA,2020-01-01,1\nA,2020-01-02,{missing}\n");

        Assert.Equal(2, ex.Row);
        Assert.Equal(3, ex.Line);
        Assert.Equal("value", ex.Column);
        Assert.Contains("Row 2 (line 3), column 'value': the value is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_numeric_value_names_its_row_and_column()
    {
        var ex = ReadFails("month,passengers\n1949-01,112\n1949-02,lots\n");

        Assert.Equal(2, ex.Row);
        Assert.Equal("passengers", ex.Column);
        Assert.Contains("not a number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_infinite_value_is_rejected()
    {
        var ex = ReadFails("ts,value\n2020-01-01,1e400\n");

        Assert.Contains("not a finite number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unparseable_timestamp_names_its_row_and_column()
    {
        var ex = ReadFails("series_key,ts,value\nA,2020-01-01,1\nA,01/02/2020,2\n");

        Assert.Equal(2, ex.Row);
        Assert.Equal("ts", ex.Column);
        Assert.Contains("not a timestamp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_or_timestamp_is_reported()
    {
        Assert.Contains("the series key is missing", ReadFails("series_key,ts,value\n ,2020-01-01,1\n").Message, StringComparison.Ordinal);
        Assert.Contains("the timestamp is missing", ReadFails("ts,value\n,1\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_timestamp_twice_in_a_series_names_both_rows()
    {
        var ex = ReadFails("series_key,ts,value\nA,2020-01-01,1\nB,2020-01-01,1\nA,2020-01-02,2\nA,2020-01-01,3\n");

        Assert.Equal(4, ex.Row);
        Assert.Equal("ts", ex.Column);
        Assert.Contains("series 'A'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(row 1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ragged_row_is_reported_with_its_row_and_line()
    {
        var ex = ReadFails("series_key,ts,value\nA,2020-01-01,1\nA,2020-01-02\n");

        Assert.Equal(2, ex.Row);
        Assert.Contains("has 2 field(s), but the header has 3 columns", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("value\n1\n")]
    [InlineData("a,b,c,d\n1,2,3,4\n")]
    public void A_header_of_other_than_two_or_three_columns_is_rejected(string text) =>
        Assert.Contains("a series file has three (series_key,ts,value) or two", ReadFails(text).Message, StringComparison.Ordinal);

    [Fact]
    public void An_empty_file_or_a_header_alone_is_rejected()
    {
        Assert.Contains("empty", ReadFails("").Message, StringComparison.Ordinal);
        Assert.Contains("no data rows", ReadFails("ts,value\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limits_on_rows_series_key_length_and_size_hold()
    {
        Assert.Contains("limit of 2 data rows", ReadFails("ts,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n", new SeriesCsvOptions { MaxRows = 2 }).Message, StringComparison.Ordinal);
        Assert.Contains("limit of 1 series", ReadFails("series_key,ts,value\nA,2020-01-01,1\nB,2020-01-01,1\n", new SeriesCsvOptions { MaxSeries = 1 }).Message, StringComparison.Ordinal);
        Assert.Contains("longer than the limit of 3", ReadFails("series_key,ts,value\nABCD,2020-01-01,1\n", new SeriesCsvOptions { MaxKeyLength = 3 }).Message, StringComparison.Ordinal);
        Assert.Contains("larger than the limit", ReadFails("ts,value\n2020-01-01,1\n", new SeriesCsvOptions { MaxFileBytes = 10 }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unusable_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Read("ts,value\n2020-01-01,1\n", new SeriesCsvOptions { Delimiter = '"' }));
        Assert.Throws<ArgumentException>(() => Read("ts,value\n2020-01-01,1\n", new SeriesCsvOptions { MaxRows = 0 }));
    }

    [Fact]
    public void A_semicolon_delimited_file_reads_with_that_delimiter()
    {
        var data = Read("ts;value\n2020-01-01;1.5\n2020-01-02;2.5\n", new SeriesCsvOptions { Delimiter = ';' });

        Assert.Equal([1.5, 2.5], data.Series[0].Values);
    }

    [Fact]
    public void Series_read_from_a_file_fit_and_forecast_like_the_fixture()
    {
        var series = SeriesCsv.Load(Fixture("air_passengers.csv")).Series[0];
        var model = Ets.FitAuto(series);

        Assert.Equal(new DateTime(1961, 1, 1), model.Forecast(1).Timestamps![0]);
        Assert.Equal(Ets.FitAuto(SeriesFixtures.AirPassengers).Aicc, model.Aicc, 1e-9);
    }
}
