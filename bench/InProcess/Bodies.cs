using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Modelhost.Bench.InProcess;

/// <summary>KServe V2 request bodies: JSON, and the binary tensor extension (a JSON header, then raw bytes).</summary>
internal static class Bodies
{
    /// <summary>Deterministic values in [0, 1).</summary>
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }

    /// <summary><c>{"inputs":[{"name":..,"shape":[1,n],"datatype":"FP32","data":[...]}]}</c> with shortest round-trip floats.</summary>
    public static byte[] Json(string input, float[] values)
    {
        var text = new StringBuilder(values.Length * 12);
        text.Append(CultureInfo.InvariantCulture, $"{{\"inputs\":[{{\"name\":\"{input}\",\"shape\":[1,{values.Length}],\"datatype\":\"FP32\",\"data\":[");
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(values[i].ToString(CultureInfo.InvariantCulture));
        }

        text.Append("]}]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The binary form of the same request: the JSON header with <c>parameters.binary_data_size</c> and no data,
    /// followed by the little-endian elements. Send it with <c>Inference-Header-Content-Length: headerLength</c>.
    /// <paramref name="binaryOutput"/> asks for every output in binary (<c>binary_data_output</c>);
    /// <paramref name="binaryOutputs"/> names outputs asked for one by one with <c>"binary_data": true</c>.
    /// </summary>
    public static (byte[] Body, int HeaderLength) Binary(string input, float[] values, bool binaryOutput, string[]? binaryOutputs = null)
    {
        var byteCount = values.Length * sizeof(float);
        var input0 = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"name\":\"{input}\",\"shape\":[1,{values.Length}],\"datatype\":\"FP32\",\"parameters\":{{\"binary_data_size\":{byteCount}}}}}");
        var outputs = binaryOutputs is null
            ? ""
            : ",\"outputs\":[" + string.Join(',', binaryOutputs.Select(o => $"{{\"name\":\"{o}\",\"parameters\":{{\"binary_data\":true}}}}")) + "]";
        var header = Encoding.UTF8.GetBytes(
            "{\"inputs\":[" + input0 + "]" + outputs + (binaryOutput ? ",\"parameters\":{\"binary_data_output\":true}}" : "}"));
        var body = new byte[header.Length + byteCount];
        header.CopyTo(body, 0);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(body.AsSpan(header.Length + (i * sizeof(float))), values[i]);
        }

        return (body, header.Length);
    }
}
