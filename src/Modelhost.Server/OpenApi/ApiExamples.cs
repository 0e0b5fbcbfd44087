namespace Modelhost.Server.OpenApi;

/// <summary>
/// What the API description says about each route beyond what the endpoint itself carries: a summary, and one example
/// request body (for routes that take one) and one example response, as JSON. Keyed by "METHOD pattern".
/// </summary>
internal static class ApiExamples
{
    private const string V2Infer = """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}]}""";
    private const string V2InferResult = """{"model_name":"iris","model_version":"1","outputs":[{"name":"label","shape":[1],"datatype":"INT64","data":[2]}]}""";
    private const string V2Metadata = """{"name":"iris","versions":["1"],"platform":"onnxruntime_onnx","inputs":[{"name":"input","datatype":"FP32","shape":[-1,4]}],"outputs":[{"name":"label","datatype":"INT64","shape":[-1]}]}""";
    private const string TritonConfig = """{"name":"iris","platform":"onnxruntime_onnx","version_policy":{"latest":{"num_versions":1}},"max_batch_size":64,"input":[{"name":"input","data_type":"TYPE_FP32","dims":[4]}],"output":[{"name":"label","data_type":"TYPE_INT64","dims":[]},{"name":"probabilities","data_type":"TYPE_FP32","dims":[3]}],"instance_group":[{"name":"iris_0","count":1,"gpus":[],"kind":"KIND_CPU"}],"default_model_filename":"model.onnx","dynamic_batching":{"preferred_batch_size":[],"max_queue_delay_microseconds":0,"preserve_ordering":false,"priority_levels":0,"default_priority_level":0,"default_queue_policy":{"timeout_action":"REJECT","default_timeout_microseconds":0,"allow_timeout_override":true,"max_queue_size":1024}},"backend":"onnxruntime"}""";
    private const string TfPredict = """{"instances":[[5.9,3.0,5.1,1.8]]}""";
    private const string TfPredictResult = """{"predictions":[2]}""";
    private const string TfStatus = """{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}],"name":"iris","ready":true}""";
    private const string TfMetadata = """{"model_spec":{"name":"iris","version":"1"},"metadata":{"signature_def":{"signature_def":{"serving_default":{"inputs":{"input":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"},{"size":"4"}]},"name":"input"}},"outputs":{"label":{"dtype":"DT_INT64","tensor_shape":{"dim":[{"size":"-1"}]},"name":"label"}},"method_name":"tensorflow/serving/predict"}}}}}""";
    private const string Stats = """{"model_stats":[{"name":"iris","version":"1","last_inference":1796396400000,"inference_count":9,"execution_count":6,"inference_stats":{"success":{"count":9,"ns":6100000},"fail":{"count":0,"ns":0},"queue":{"count":9,"ns":400000},"compute_input":{"count":6,"ns":30000},"compute_infer":{"count":6,"ns":412000},"compute_output":{"count":6,"ns":25000},"cache_hit":{"count":0,"ns":0},"cache_miss":{"count":0,"ns":0}},"batch_stats":[{"batch_size":1,"compute_infer":{"count":4}},{"batch_size":2,"compute_infer":{"count":2}}]}]}""";
    private const string Job = """{"id":42,"kind":"train","queue":"training","state":"queued","attempts":0,"max_attempts":3,"created_at":"2026-12-03T13:00:00Z","spec":{"model":"iris","data":"iris.csv","target":"species"}}""";
    private const string TrainSpec = """{"data":"iris.csv","target":"species","trainer":"random_forest"}""";
    private const string Detection = """{"model_name":"face-front","image":{"width":640,"height":480},"detections":[{"score":0.93,"box":{"x":212,"y":96,"width":180,"height":180},"keypoints":[{"x":260,"y":150},{"x":330,"y":150}]}]}""";
    private const string LatencyHistograms = """{"models":[{"name":"iris","version":"1","request_duration_seconds":{"bounds":[0.0005,0.001,0.0025],"buckets":[3,8,9,9],"count":9,"sum":0.0061},"queue_duration_seconds":{"bounds":[0.0005,0.001,0.0025],"buckets":[9,9,9,9],"count":9,"sum":0.0004},"compute_duration_seconds":{"bounds":[0.0005,0.001,0.0025],"buckets":[5,9,9,9],"count":9,"sum":0.0042},"batch_size":{"bounds":[1,2,4],"buckets":[4,6,6,6],"count":6,"sum":8}}]}""";
    private const string Empty = "{}";

    /// <summary>A response without a body: the status code is the answer.</summary>
    private const string NoBody = "";

    /// <summary>The error body every failing route answers with.</summary>
    public const string Error = """{"error":"unknown model 'irsi'"}""";

    private static readonly Dictionary<string, (string Summary, string? Request, string Response)> Routes = new(StringComparer.Ordinal)
    {
        ["GET /v2/health/live"] = ("Liveness: 200 while the process serves", null, """{"live":true}"""),
        ["GET /v2/health/ready"] = ("Readiness: 200 when every model present at startup has been tried, the repository is readable and the server is not stopping", null, NoBody),
        ["GET /v2"] = ("Server metadata (KServe V2)", null, """{"name":"modelhost","version":"0.1.0","extensions":["model_repository","model_configuration","statistics","binary_tensor_data","classification"]}"""),
        ["GET /v2/models/{model}"] = ("Model metadata: inputs and outputs (KServe V2)", null, V2Metadata),
        ["GET /v2/models/{model}/versions/{version}"] = ("Metadata of one version (KServe V2)", null, V2Metadata),
        ["GET /v2/models/{model}/config"] = ("Model configuration as Triton describes it (its model configuration extension)", null, TritonConfig),
        ["GET /v2/models/{model}/versions/{version}/config"] = ("Configuration of one version (Triton)", null, TritonConfig),
        ["GET /v2/models/{model}/ready"] = ("200 when the model has a READY version", null, NoBody),
        ["GET /v2/models/{model}/versions/{version}/ready"] = ("200 when this version is READY", null, NoBody),
        ["POST /v2/models/{model}/infer"] = ("Inference (KServe V2 / Open Inference Protocol), JSON or binary tensor data", V2Infer, V2InferResult),
        ["POST /v2/models/{model}/versions/{version}/infer"] = ("Inference on one version (KServe V2)", V2Infer, V2InferResult),
        ["GET /v2/models"] = ("The names of the repository's models (KServe's model list)", null, """{"models":["face-back","face-front","iris"]}"""),
        ["GET /v2/models/stats"] = ("Statistics of every model (Triton's statistics extension)", null, Stats),
        ["GET /v2/models/{model}/stats"] = ("Statistics of one model", null, Stats),
        ["GET /v2/models/{model}/versions/{version}/stats"] = ("Statistics of one version", null, Stats),
        ["POST /v1/models/{model}:predict"] = ("Prediction (TF Serving REST, row or columnar format)", TfPredict, TfPredictResult),
        ["POST /v1/models/{model}/versions/{version}:predict"] = ("Prediction on one version (TF Serving REST)", TfPredict, TfPredictResult),
        ["POST /v1/models/{model}/labels/{label}:predict"] = ("Prediction on the version a label names (TF Serving REST)", TfPredict, TfPredictResult),
        ["GET /v1/models/{model}"] = ("Version status (TF Serving REST); name and ready are KServe V1's model readiness", null, TfStatus),
        ["GET /v1/models/{model}/versions/{version}"] = ("Status of one version (TF Serving REST)", null, TfStatus),
        ["GET /v1/models/{model}/labels/{label}"] = ("Status of the version a label names (TF Serving REST)", null, TfStatus),
        ["GET /v1/models/{model}/metadata"] = ("Signature metadata (TF Serving REST)", null, TfMetadata),
        ["GET /v1/models/{model}/versions/{version}/metadata"] = ("Signature metadata of one version", null, TfMetadata),
        ["GET /v1/models/{model}/labels/{label}/metadata"] = ("Signature metadata of the version a label names", null, TfMetadata),
        ["POST /predict"] = ("The seed's route: named features, one object or a list, on the model marked default: true", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""", """{"result":[2]}"""),
        ["POST /"] = ("The seed's detection route: an image body, faces found by the default detector", null, Detection),
        ["POST /v1/vision/{model}:detect"] = ("Object detection on an image (JPEG, PNG, WebP, GIF, BMP body)", null, Detection),
        ["GET /v1/forecasts/{series_key}"] = ("The latest forecast of one series (the per-country pipeline)", null, """{"series_key":"DE","model_version":3,"points":[{"time":"2026-12-04","value":101.2,"lower":98.4,"upper":104.0}]}"""),
        ["POST /api/model"] = ("The seed's training route: trains the per-country forecasters as a job", Empty, Job),
        ["POST /v1/jobs"] = ("Submits a job (train, predict, train_forecast, forecast)", """{"kind":"train","spec":{"model":"iris","data":"iris.csv","target":"species"}}""", Job),
        ["POST /v1/models/{model}/train"] = ("Submits a training job for a model", TrainSpec, Job),
        ["GET /v1/jobs"] = ("Lists jobs, newest first, filtered by state, kind or queue", null, "{\"jobs\":[" + Job + "],\"next\":null}"),
        ["GET /v1/jobs/{id}"] = ("One job", null, Job),
        ["DELETE /v1/jobs/{id}"] = ("Cancels a job", null, Job),
        ["POST /v1/jobs/{id}/retry"] = ("Queues a failed or cancelled job again", null, Job),
        ["GET /v1/jobs/{id}/logs"] = ("The job's log lines", null, """{"lines":[{"at":"2026-12-03T13:00:01Z","stream":"stdout","text":"accuracy 0.96"}]}"""),
        ["GET /v1/jobs/{id}/events"] = ("The job's state changes, as server-sent events", null, """{"event":"state","data":{"state":"running"}}"""),
        ["POST /v2/repository/index"] = ("Every model and version with its state (Triton's repository extension)", Empty, """[{"name":"iris","version":"1","state":"READY","reason":""}]"""),
        ["POST /v2/repository/models/{model}/load"] = ("Loads (or reloads) a model from the repository", Empty, NoBody),
        ["POST /v2/repository/models/{model}/unload"] = ("Unloads a model", Empty, NoBody),
        ["GET /v1/models"] = ("Every model with its state, versions, labels, features, batching and signature (the dashboard's list)", null, """{"default_model":"iris","models":[{"name":"iris","state":"READY","reason":"","platform":"onnxruntime_onnx","default":true,"versions":[{"version":"1","state":"READY","reason":""}]}]}"""),
        ["GET /v1/server"] = ("Version, uptime, addresses, repository, job store and access, without secrets", null, """{"name":"modelhost","version":"0.1.0","started_at":"2026-12-03T13:00:00Z","uptime_seconds":12,"listening":["http://127.0.0.1:8080"]}"""),
        ["GET /v1/series"] = ("The forecasting series that have observations", null, """{"series":[{"series_key":"DE","count":1860}]}"""),
        ["GET /v1/series/{series_key}"] = ("A series' newest observations, oldest first (?last=N, default 500)", null, """{"series_key":"DE","count":1860,"observations":[{"ts":"1998-08-14T00:00:00","value":5473.72}]}"""),
        ["GET /v1/metrics/models"] = ("Per model and version, the cumulative buckets of the request, queue and compute duration and batch size histograms (the dashboard's latency; bounds shortened here)", null, LatencyHistograms),
        ["GET /v1/metrics/models/{model}"] = ("The latency and batch size histograms of one model, per version", null, LatencyHistograms),
        ["GET /metrics"] = ("Prometheus metrics (text format 0.0.4)", null, "\"# TYPE nv_inference_request_success counter\\nnv_inference_request_success{model=\\\"iris\\\",version=\\\"1\\\"} 9\\n\""),
    };

    /// <summary>What is known of a route, or null; an empty response example means the response has no body.</summary>
    public static (string Summary, string? Request, string Response)? Find(string method, string pattern) =>
        Routes.TryGetValue(method + " " + pattern, out var entry) ? entry : null;
}
