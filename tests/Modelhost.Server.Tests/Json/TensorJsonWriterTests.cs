using System.Buffers;
using System.Text;
using System.Text.Json;
using Modelhost.Core.Tensors;
using Modelhost.Server.Json;

namespace Modelhost.Server.Tests.Json;

public sealed class TensorJsonWriterTests
{
    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // What the writer produced element by element before FP32 got its own formatting.
    private static string OneByOne(IEnumerable<float> values) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            if (float.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    });

    private static float[] Values(int count)
    {
        var random = new Random(count);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 12)));
        }

        return values;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1000)]
    public void WriteFlat_writes_fp32_as_the_writer_does_one_element_at_a_time(int count)
    {
        var values = Values(count);
        if (count > 3)
        {
            values[1] = float.NaN;
            values[2] = float.PositiveInfinity;
            values[3] = -0f;
        }

        using var value = Modelhost.Core.Engine.OnnxRuntime.OnnxRuntimeEngine.Instance.CreateTensor<float>(values.AsMemory(), [1, count]);
        var tensor = new OutputTensor("y", value, [1, count], firstRow: 0);
        Assert.Equal(OneByOne(values), Write(w => TensorJsonWriter.WriteFlat(w, tensor)));
    }

    [Fact]
    public void WriteRow_nests_fp32_rows_and_keeps_the_commas_between_them()
    {
        var values = Values(2 * 3 * 300);
        using var value = Modelhost.Core.Engine.OnnxRuntime.OnnxRuntimeEngine.Instance.CreateTensor<float>(values.AsMemory(), [2, 3, 300]);
        var tensor = new OutputTensor("y", value, [2, 3, 300], firstRow: 0);
        var json = Write(w =>
        {
            w.WriteStartArray();
            TensorJsonWriter.WriteRow(w, tensor, 0);
            TensorJsonWriter.WriteRow(w, tensor, 1);
            w.WriteEndArray();
        });
        using var document = JsonDocument.Parse(json);
        var rows = document.RootElement;
        Assert.Equal(2, rows.GetArrayLength());
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(3, rows[r].GetArrayLength());
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(OneByOne(values.Skip(((r * 3) + i) * 300).Take(300)), rows[r][i].GetRawText());
            }
        }
    }
}
