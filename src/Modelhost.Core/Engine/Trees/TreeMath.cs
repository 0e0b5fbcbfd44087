namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// The post transforms in single precision, with ONNX Runtime's formulas and operation order (its logistic, its
/// approximate inverse error function for probit), so that results match it bit for bit.
/// </summary>
internal static class TreeMath
{
    private const float Sqrt2 = 1.41421356237309504880f;

    public static float Logistic(float value)
    {
        var v = 1f / (1f + MathF.Exp(-MathF.Abs(value)));
        return value < 0 ? 1f - v : v;
    }

    public static float Probit(float value) => Sqrt2 * ErfInv((2f * value) - 1f);

    /// <summary>Softmax over the scores in place; a score without a value counts as 0.</summary>
    public static void Softmax(Span<float> scores)
    {
        var max = -float.MaxValue;
        foreach (var s in scores)
        {
            if (s > max)
            {
                max = s;
            }
        }

        var sum = 0f;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = MathF.Exp(scores[i] - max);
            sum += scores[i];
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] /= sum;
        }
    }

    /// <summary>Softmax that leaves (scaled) zeros out of the sum, as ONNX Runtime's SOFTMAX_ZERO.</summary>
    public static void SoftmaxZero(Span<float> scores)
    {
        var max = -float.MaxValue;
        foreach (var s in scores)
        {
            if (s > max)
            {
                max = s;
            }
        }

        var expNegMax = MathF.Exp(-max);
        var sum = 0f;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (s > 0.0000001f || s < -0.0000001f)
            {
                scores[i] = MathF.Exp(s - max);
                sum += scores[i];
            }
            else
            {
                scores[i] = s * expNegMax;
            }
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] /= sum;
        }
    }

    private static float ErfInv(float x)
    {
        var sign = x < 0 ? -1f : 1f;
        x = (1 - x) * (1 + x);
        var log = MathF.Log(x);
        var v = (2f / (MathF.PI * 0.147f)) + (0.5f * log);
        var v2 = 1f / 0.147f * log;
        var v3 = -v + MathF.Sqrt((v * v) - v2);
        return sign * MathF.Sqrt(v3);
    }
}
