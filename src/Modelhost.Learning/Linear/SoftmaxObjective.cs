namespace Modelhost.Learning.Linear;

/// <summary>
/// The mean softmax cross-entropy over the rows plus <c>α / (2n) · ‖W‖²</c> (the summed loss with <c>α/2·‖W‖²</c>,
/// scaled by 1/n so the gradient tolerance does not depend on the number of rows), and its gradient.
/// Parameters: the weights row-major <c>[class, feature]</c>, then one intercept per class.
/// </summary>
internal sealed class SoftmaxObjective
{
    private readonly double[] _x;
    private readonly int[] _classIds;
    private readonly int _features;
    private readonly int _classes;
    private readonly double _alpha;
    private readonly double[] _scores;

    public SoftmaxObjective(double[] standardizedFeatures, int[] classIds, int features, int classes, double alpha)
    {
        _x = standardizedFeatures;
        _classIds = classIds;
        _features = features;
        _classes = classes;
        _alpha = alpha;
        _scores = new double[classes];
    }

    public int ParameterCount => (_classes * _features) + _classes;

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        int rows = _classIds.Length;
        int weightCount = _classes * _features;
        ReadOnlySpan<double> weights = parameters[..weightCount];
        ReadOnlySpan<double> intercepts = parameters[weightCount..];
        Span<double> weightGradient = gradient[..weightCount];
        Span<double> interceptGradient = gradient[weightCount..];
        gradient.Clear();
        Span<double> scores = _scores;
        double loss = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = _x.AsSpan(i * _features, _features);
            double max = double.NegativeInfinity;
            for (int k = 0; k < _classes; k++)
            {
                double score = intercepts[k];
                ReadOnlySpan<double> w = weights.Slice(k * _features, _features);
                for (int f = 0; f < _features; f++)
                {
                    score += w[f] * row[f];
                }

                scores[k] = score;
                max = Math.Max(max, score);
            }

            int y = _classIds[i];
            double trueScore = scores[y];
            double sum = 0;
            for (int k = 0; k < _classes; k++)
            {
                scores[k] = Math.Exp(scores[k] - max);
                sum += scores[k];
            }

            loss += max + Math.Log(sum) - trueScore;

            // d loss / d score_k = p_k − [k = y].
            for (int k = 0; k < _classes; k++)
            {
                double residual = (scores[k] / sum) - (k == y ? 1 : 0);
                interceptGradient[k] += residual;
                Span<double> g = weightGradient.Slice(k * _features, _features);
                for (int f = 0; f < _features; f++)
                {
                    g[f] += residual * row[f];
                }
            }
        }

        double penalty = 0;
        for (int j = 0; j < weightCount; j++)
        {
            penalty += weights[j] * weights[j];
            weightGradient[j] += _alpha * weights[j];
        }

        double scale = 1.0 / rows;
        for (int j = 0; j < gradient.Length; j++)
        {
            gradient[j] *= scale;
        }

        return (loss + (0.5 * _alpha * penalty)) * scale;
    }
}
