using System.Text.Json;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

public class EtsModelJsonTests
{
    [Theory]
    [InlineData("ANN")]
    [InlineData("AAdN")]
    [InlineData("MAA")]
    [InlineData("MAdM")]
    public void A_model_restored_from_json_forecasts_identically(string code)
    {
        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse(code), new EtsOptions { SeriesName = "air" });

        var restored = EtsModel.FromJson(model.ToJson());

        var before = model.Forecast(24);
        var after = restored.Forecast(24);
        Assert.Equal(before.Mean, after.Mean);
        Assert.Equal(before.Lower80, after.Lower80);
        Assert.Equal(before.Upper80, after.Upper80);
        Assert.Equal(before.Lower95, after.Lower95);
        Assert.Equal(before.Upper95, after.Upper95);
        Assert.Equal(model.Method, restored.Method);
        Assert.Equal("air", restored.SeriesName);
        Assert.Equal(model.Alpha, restored.Alpha);
        Assert.Equal(model.Beta, restored.Beta);
        Assert.Equal(model.Gamma, restored.Gamma);
        Assert.Equal(model.Phi, restored.Phi);
        Assert.Equal(model.Sigma2, restored.Sigma2);
        Assert.Equal(model.LogLikelihood, restored.LogLikelihood);
        Assert.Equal(model.Aicc, restored.Aicc);
        Assert.Equal(model.InitialSeason, restored.InitialSeason);
        Assert.Equal(model.Season, restored.Season);
        Assert.Equal(model.ToJson(), restored.ToJson());
    }

    [Fact]
    public void A_dated_model_keeps_its_last_timestamp_and_spacing()
    {
        var model = Ets.FitAuto(SeriesFixtures.AirPassengers);

        var restored = EtsModel.FromJson(model.ToJson());

        Assert.Equal(new DateTime(1960, 12, 1), restored.LastTimestamp);
        Assert.Equal(TimeSpacing.Monthly, restored.Spacing);
        Assert.Equal(model.Forecast(3).Timestamps, restored.Forecast(3).Timestamps);
    }

    [Fact]
    public void The_document_names_its_format_method_and_states()
    {
        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("MAdM"));

        using var document = JsonDocument.Parse(model.ToJson());
        var root = document.RootElement;

        Assert.Equal("modelhost.ets/1", root.GetProperty("format").GetString());
        Assert.Equal("ETS(M,Ad,M)", root.GetProperty("method").GetString());
        Assert.Equal("MAdM", root.GetProperty("model").GetString());
        Assert.Equal(12, root.GetProperty("period").GetInt32());
        Assert.Equal(12, root.GetProperty("finalStates").GetProperty("season").GetArrayLength());
        Assert.Equal(model.Phi, root.GetProperty("parameters").GetProperty("phi").GetDouble());
    }

    [Fact]
    public void A_constant_series_model_round_trips()
    {
        var model = Ets.FitAuto(Enumerable.Repeat(3.0, 12).ToArray(), 1);

        var restored = EtsModel.FromJson(model.ToJson());

        Assert.Equal(model.LogLikelihood, restored.LogLikelihood);
        Assert.Equal(0, restored.Sigma2);
        Assert.Equal(model.Forecast(2).Mean, restored.Forecast(2).Mean);
    }

    [Fact]
    public void Non_finite_numbers_are_written_as_strings()
    {
        var model = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("ANN"));
        var json = model.ToJson();
        var logLikelihood = JsonDocument.Parse(json).RootElement.GetProperty("logLikelihood").GetRawText();

        var restored = EtsModel.FromJson(json.Replace($"\"logLikelihood\": {logLikelihood}", "\"logLikelihood\": \"-Infinity\"", StringComparison.Ordinal));

        Assert.Equal(double.NegativeInfinity, restored.LogLikelihood);
        Assert.Contains("\"logLikelihood\": \"-Infinity\"", restored.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"format":"other/1"}""", "'format'")]
    [InlineData("""{"format":"modelhost.ets/1","series":"s","model":"XYZ"}""", "'model'")]
    [InlineData("""{"format":"modelhost.ets/1","series":"s","model":"ANN","period":1,"observations":10,"parameters":{}}""", "'parameters.alpha'")]
    public void Invalid_documents_are_rejected_naming_the_field(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => EtsModel.FromJson(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seasonal_model_with_the_wrong_number_of_seasonal_states_is_rejected()
    {
        var json = Ets.Fit(SeriesFixtures.AirPassengerValues, 12, EtsSpec.Parse("ANA")).ToJson().Replace("\"period\": 12", "\"period\": 4", StringComparison.Ordinal);

        var error = Assert.Throws<FormatException>(() => EtsModel.FromJson(json));

        Assert.Contains("initialStates.season", error.Message, StringComparison.Ordinal);
    }
}
