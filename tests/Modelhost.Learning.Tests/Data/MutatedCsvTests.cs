using System.Globalization;
using Modelhost.Learning.Data;
using Modelhost.Learning.Forecasting;
using Modelhost.Learning.Linear;
using Modelhost.Learning.Trees;

namespace Modelhost.Learning.Tests.Data;

/// <summary>
/// Near-valid data files, each a seeded mutation of iris.csv or of a monthly series, through what a training or
/// forecasting job does with them: load, then train (or fit). Each step must succeed or fail with the exception it
/// documents (a <see cref="DatasetFormatException"/> naming the line, an <see cref="ArgumentException"/> naming the
/// problem): a job then fails with that message instead of an IndexOutOfRangeException from deep inside a trainer.
/// </summary>
public sealed class MutatedCsvTests
{
    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), CultureInfo.InvariantCulture, out var cases) ? cases : 300;

    [Fact]
    public void Mutated_tabular_files_load_and_train_or_fail_with_the_documented_exceptions()
    {
        var iris = File.ReadAllText(TabularFixtures.IrisPath);
        var mutator = new RequestMutator(800);
        var trained = 0;
        for (var i = 0; i < Cases; i++)
        {
            var csv = mutator.MutateCsv(iris);
            var regression = i % 2 == 1;
            try
            {
                using var reader = new StringReader(csv);
                var data = TabularDataset.LoadCsv(reader, regression ? "sepal_length" : "species", regression ? TargetKind.Regression : TargetKind.Classification);
                if (regression)
                {
                    _ = RandomForestRegressor.Train(data, new RandomForestOptions { Trees = 3, Seed = i, MaxDegreeOfParallelism = 1 });
                    _ = LinearRegression.Train(data);
                }
                else
                {
                    _ = RandomForestClassifier.Train(data, new RandomForestOptions { Trees = 3, Seed = i, MaxDegreeOfParallelism = 1 });
                    _ = LogisticRegression.Train(data);
                }

                trained++;
            }
            catch (Exception ex) when (ex is DatasetFormatException or ArgumentException)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message), $"case {i}: {ex.GetType().Name} with no message");
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}\n{csv}");
            }
        }

        Assert.InRange(trained, Cases / 20, Cases - (Cases / 20));
    }

    [Fact]
    public void Mutated_series_files_load_and_fit_or_fail_with_the_documented_exceptions()
    {
        var series = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "air_passengers.csv"));
        var mutator = new RequestMutator(801);
        var fitted = 0;
        for (var i = 0; i < Cases / 3; i++)
        {
            var csv = mutator.MutateCsv(series);
            try
            {
                var data = SeriesCsv.Load(new StringReader(csv), "air");
                _ = Ets.FitAuto(data.Series[0]);
                fitted++;
            }
            catch (Exception ex) when (ex is DatasetFormatException or ArgumentException)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message), $"case {i}: {ex.GetType().Name} with no message");
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}\n{csv}");
            }
        }

        // Both outcomes. Most mutations of a 144-line series are refused (one bad cell refuses the file): a few fit.
        Assert.InRange(fitted, 1, (Cases / 3) - 1);
    }
}
