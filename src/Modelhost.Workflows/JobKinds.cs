namespace Modelhost.Workflows;

/// <summary>The kinds of job the workflows run, as stored in the job store and named in the jobs API.</summary>
public static class JobKinds
{
    /// <summary>Trains a model of the repository (an external trainer or a built-in learner) and publishes its next version.</summary>
    public const string Train = TrainJobHandler.JobKind;

    /// <summary>Runs a model over a CSV file or a query's rows and writes the predictions.</summary>
    public const string Predict = PredictSpec.JobKind;

    /// <summary>Fits the per-country pipeline's forecaster for one series key and publishes it.</summary>
    public const string TrainForecast = TrainForecastJobHandler.JobKind;

    /// <summary>Writes one series key's forecasts into the predictions table.</summary>
    public const string Forecast = ForecastJobHandler.JobKind;
}
