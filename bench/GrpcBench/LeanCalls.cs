using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Bench.Grpc;

/// <summary>
/// The load generator's calls, each doing no more work per call than its protocol needs, as wrk and perf_analyzer
/// do: the request's bytes are built once, and the answer's bytes are read into a pooled buffer and not decoded. The
/// load generator shares the server's two cores, so its own CPU per row is CPU the server does not get; with the
/// generated client (a protobuf message serialized per call, every answer parsed into a new message whose tensor bytes
/// are copied into a new array) gRPC's client cost twice HTTP binary's per row at 64 rows per call, and that, not the
/// server, set their rows/s apart. Each case's first call is checked in full (<see cref="CheckAsync"/>) before any is
/// counted.
/// </summary>
internal static class LeanCalls
{
    private static readonly MediaTypeHeaderValue _octetStream = new("application/octet-stream");
    private static readonly object _received = new();
    private static readonly MediaTypeHeaderValue _json = new("application/json") { CharSet = "utf-8" };

    /// <summary>ModelInfer with the request serialized once; the answer's status is checked, its bytes only counted.</summary>
    public static Func<Task> Grpc(CallInvoker invoker, ModelInferRequest request)
    {
        var bytes = request.ToByteArray();
        var method = new Method<byte[], object>(
            MethodType.Unary,
            "inference.GRPCInferenceService",
            "ModelInfer",
            Marshallers.Create<byte[]>((message, context) => context.Complete(message), context => context.PayloadAsNewBuffer()),
            Marshallers.Create<object>((_, _) => throw new NotSupportedException("the bench sends no answers"), context => context.PayloadLength > 0 ? _received : throw new InvalidDataException("an empty answer")));
        return async () => _ = await invoker.AsyncUnaryCall(method, null, default, bytes).ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>A KServe V2 call with a body built once; the answer must be 200 and is read, not parsed.</summary>
    public static Func<Task> Http(HttpClient http, string path, byte[] body, bool json, int headerLength)
    {
        var length = headerLength.ToString(CultureInfo.InvariantCulture);
        return async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = json ? _json : _octetStream;
            if (!json)
            {
                content.Headers.Add("Inference-Header-Content-Length", length);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        };
    }

    /// <summary>
    /// The case's request once through the generated client and in full: the output must hold the values the model
    /// gives <paramref name="values"/> (ONNX Runtime in process, <paramref name="expected"/>), so a bench that only
    /// counts bytes cannot count wrong answers.
    /// </summary>
    public static async Task CheckAsync(GRPCInferenceService.GRPCInferenceServiceClient client, HttpClient http, string model, string input, string output, float[] values, int rows, float[] expected, bool labels)
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = "FP32", Shape = { rows, values.Length / rows } });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        var answer = await client.ModelInferAsync(request);
        var raw = answer.RawOutputContents[0].Span;
        if (labels ? raw.Length != rows * sizeof(long) || MemoryMarshal.Cast<byte, long>(raw)[0] != (long)expected[0]
            : !MemoryMarshal.Cast<byte, float>(raw).SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{model}: the gRPC answer is not what ONNX Runtime gives in process");
        }

        var body = Encoding.UTF8.GetBytes(JsonBody(input, output, values, rows));
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = _json;
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        var first = labels ? ((long)expected[0]).ToString(CultureInfo.InvariantCulture) : expected[0].ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains("\"data\":[" + first, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{model}: the JSON answer does not start with {first}: {text[..Math.Min(200, text.Length)]}");
        }
    }

    /// <summary>The KServe V2 JSON request the bench sends.</summary>
    public static string JsonBody(string input, string output, float[] values, int rows) =>
        $$"""{"inputs":[{"name":"{{input}}","shape":[{{rows}},{{values.Length / rows}}],"datatype":"FP32","data":[{{string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]}],"outputs":[{"name":"{{output}}"}]}""";
}
