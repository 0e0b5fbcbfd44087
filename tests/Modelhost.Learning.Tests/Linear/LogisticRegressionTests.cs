using Modelhost.Learning.Data;
using Modelhost.Learning.Linear;
using Modelhost.Learning.Metrics;

namespace Modelhost.Learning.Tests.Linear;

public sealed class LogisticRegressionTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    public void Logistic_regression_classifies_at_least_90_percent_of_a_seeded_30_percent_test_split(string name)
    {
        TabularDataset data = name == "iris" ? TabularFixtures.Iris() : TabularFixtures.Wine();
        var (train, test) = data.TrainTestSplit(0.3, seed: 1234, stratify: true);

        var model = LogisticRegression.Train(train);
        ClassificationReport report = ClassificationReport.Evaluate(model, test);

        Assert.True(model.Converged, $"stopped after {model.Iterations} iterations");
        Assert.True(report.Accuracy >= 0.9, $"accuracy {report.Accuracy}");
    }

    [Fact]
    public void Probabilities_are_a_softmax_that_sums_to_one_and_the_label_is_the_most_probable_class()
    {
        TabularDataset iris = TabularFixtures.Iris();
        var model = LogisticRegression.Train(iris);

        var probabilities = new double[3];
        for (int i = 0; i < iris.RowCount; i++)
        {
            int label = model.Predict(iris.GetRow(i), probabilities);
            Assert.Equal(1.0, probabilities.Sum(), 1e-12);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), label);
        }
    }

    [Fact]
    public void Raw_coefficients_and_intercepts_give_the_same_scores_as_the_model()
    {
        TabularDataset wine = TabularFixtures.Wine();
        var model = LogisticRegression.Train(wine);

        ReadOnlySpan<double> row = wine.GetRow(10);
        var scores = new double[3];
        for (int k = 0; k < 3; k++)
        {
            scores[k] = model.GetIntercept(k);
            for (int f = 0; f < wine.FeatureCount; f++)
            {
                scores[k] += model.GetCoefficient(k, f) * row[f];
            }
        }

        var probabilities = new double[3];
        model.Predict(row, probabilities);
        double[] softmax = scores.Select(s => Math.Exp(s - scores.Max())).ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(softmax[k] / softmax.Sum(), probabilities[k], 1e-9);
        }
    }

    [Fact]
    public void Training_is_deterministic()
    {
        TabularDataset wine = TabularFixtures.Wine();

        var first = LogisticRegression.Train(wine);
        var second = LogisticRegression.Train(wine);

        Assert.Equal(first.StandardizedWeights.ToArray(), second.StandardizedWeights.ToArray());
        Assert.Equal(first.Intercepts.ToArray(), second.Intercepts.ToArray());
    }

    [Fact]
    public void A_stronger_penalty_gives_smaller_weights_and_softer_probabilities()
    {
        TabularDataset iris = TabularFixtures.Iris();

        var loose = LogisticRegression.Train(iris, new LogisticRegressionOptions { Alpha = 0.01 });
        var tight = LogisticRegression.Train(iris, new LogisticRegressionOptions { Alpha = 100 });

        Assert.True(SumOfSquares(tight.StandardizedWeights) < SumOfSquares(loose.StandardizedWeights));
        var probabilities = new double[3];
        tight.Predict(iris.GetRow(0), probabilities);
        Assert.True(probabilities.Max() < 0.9);
    }

    [Fact]
    public void Two_classes_are_learned_with_the_same_softmax_model()
    {
        TabularDataset iris = TabularFixtures.Iris();
        int[] isVirginica = iris.ClassIds.ToArray().Select(c => c == 2 ? 1 : 0).ToArray();
        TabularDataset binary = TabularDataset.CreateClassification(iris.Features.Span, 4, isVirginica, ["no", "yes"], iris.FeatureNames);

        var model = LogisticRegression.Train(binary);

        Assert.True(ClassificationReport.Evaluate(model, binary).Accuracy > 0.9);
    }

    [Fact]
    public void The_gradient_matches_finite_differences()
    {
        TabularDataset iris = TabularFixtures.Iris();
        var objective = new SoftmaxObjective(
            iris.Features.ToArray(), iris.ClassIds.ToArray(), iris.FeatureCount, iris.ClassCount, alpha: 3);
        var random = new Random(1);
        double[] point = Enumerable.Range(0, objective.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradient = new double[point.Length];
        objective.Evaluate(point, gradient);

        var scratch = new double[point.Length];
        for (int j = 0; j < point.Length; j++)
        {
            double[] up = (double[])point.Clone();
            double[] down = (double[])point.Clone();
            up[j] += 1e-6;
            down[j] -= 1e-6;
            double numeric = (objective.Evaluate(up, scratch) - objective.Evaluate(down, scratch)) / 2e-6;
            Assert.Equal(numeric, gradient[j], 1e-6);
        }
    }

    [Fact]
    public void Training_stops_when_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => LogisticRegression.Train(TabularFixtures.Wine(), cancellationToken: cancellation.Token));
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LogisticRegression.Train(TabularFixtures.WineAlcohol()));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Train(TabularFixtures.Iris(), new LogisticRegressionOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Train(TabularFixtures.Iris(), new LogisticRegressionOptions { Tolerance = 0 }));
    }

    private static double SumOfSquares(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v * v;
        }

        return sum;
    }
}
