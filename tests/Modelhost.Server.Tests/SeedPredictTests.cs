using System.Net;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class SeedPredictTests : ServerTest
{
    private const string SeedRow = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";
    public SeedPredictTests()
        : base(new TempRepository().AddIris())
    {
    }

    [Fact]
    public async Task Predict_answers_the_seed_request_with_class_2()
    {
        using var response = await Server.PostJsonAsync("/predict", SeedRow);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"result":[2]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Predict_takes_a_list_of_rows_and_answers_each()
    {
        var body = $$"""[{{SeedRow}}, {"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}]""";
        var json = await Server.PostJsonOkAsync("/predict", body);
        Assert.Equal("[2,0]", json.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Predict_returns_class_names_when_asked_for_labels()
    {
        var json = await Server.PostJsonOkAsync("/predict?labels=true", SeedRow);
        Assert.Equal("""["virginica"]""", json.GetProperty("labels").GetRawText());
    }

    [Fact]
    public async Task Predict_returns_400_naming_a_missing_feature()
    {
        using var response = await Server.PostJsonAsync("/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("missing feature 'petal_width'", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_returns_400_naming_an_unknown_feature()
    {
        using var response = await Server.PostJsonAsync("/predict", """{"sepal_lenght":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown feature 'sepal_lenght'", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_returns_400_when_a_feature_is_not_a_number()
    {
        using var response = await Server.PostJsonAsync("/predict", """{"sepal_length":"5.9","sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'sepal_length' must be a number", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"sepal_length":1e39,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""", "row 0: feature 'sepal_length' (1e39) is not a valid FP32 value")]
    [InlineData("""{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":-1e400}""", "row 0: feature 'petal_width' (-1e400) is not a valid FP32 value")]
    [InlineData("""{"sepal_length":5.9,"sepal_length":3.0,"petal_length":5.1,"petal_width":1.8}""", "row 0: feature 'sepal_length' is given more than once")]
    public async Task Predict_returns_400_for_a_number_the_model_cannot_take_or_a_feature_given_twice(string body, string expected)
    {
        // The first was served as infinity, and the second's missing 'sepal_width' hid the repeated key.
        using var response = await Server.PostJsonAsync("/predict", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_predict_returns_405_with_an_allow_header()
    {
        using var response = await Server.Client.GetAsync("/predict");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
        Assert.Contains("not allowed", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_returns_400_for_malformed_json()
    {
        using var response = await Server.PostJsonAsync("/predict", """{"sepal_length":5.9,""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("malformed JSON", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_reads_json_labelled_as_a_form_as_curl_d_sends_it_and_refuses_a_real_form_with_a_400()
    {
        // `curl -d '{...}'` without -H labels the body a form, as Flask's clients often did; Triton and TF Serving read
        // it as JSON, and so does Modelhost (a browser's form post is still 415: EdgeTests).
        using (var response = await Server.Client.PostAsync("/predict", RunningServer.Json(SeedRow, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"result\":[2]}", await response.Content.ReadAsStringAsync());
        }

        using var form = await Server.Client.PostAsync("/predict", RunningServer.Json("sepal_length=5.9&sepal_width=3.0", "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Contains("JSON", await RunningServer.ErrorOf(form), StringComparison.Ordinal);
    }
}
