namespace Modelhost.Bench.Ceiling;

/// <summary>The seed's request body: the four named iris features.</summary>
/// <param name="SepalLength">sepal_length.</param>
/// <param name="SepalWidth">sepal_width.</param>
/// <param name="PetalLength">petal_length.</param>
/// <param name="PetalWidth">petal_width.</param>
internal sealed record IrisRow(double SepalLength, double SepalWidth, double PetalLength, double PetalWidth);
