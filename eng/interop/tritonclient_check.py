"""Triton's own Python clients (tritonclient.http, tritonclient.grpc and its asyncio flavour) against a running
Modelhost serving the demo repository: every call a Triton user makes, with the answers Triton gives.

    python3 eng/interop/tritonclient_check.py localhost:8080 localhost:8081

Needs `pip install tritonclient[all]`; eng/interop/run.sh starts the server and runs this. Not in .ci/run: CI's
machines reach no Python package index. Exits 1 at the first call that does not answer as Triton would.
"""
import asyncio
import queue
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.grpc.aio as aioclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

HTTP, GRPC = sys.argv[1], sys.argv[2]
ROWS = np.array([[5.9, 3.0, 5.1, 1.8], [5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]], dtype=np.float32)
LABELS = [2, 0, 1]  # scikit-learn's labels for these rows (tests/fixtures/iris/reference.json)
failures = []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(name)


def refused(name, call, status):
    """The call must fail with this status (an HTTP code, or a gRPC status name)."""
    try:
        call()
    except InferenceServerException as error:
        check(name, str(status) in (error.status() or ""), f"status {error.status()}: {error.message()}")
        return
    check(name, False, "no error")


def run(client, module, protocol):
    check(f"{protocol} is_server_live", client.is_server_live())
    check(f"{protocol} is_server_ready", client.is_server_ready())
    check(f"{protocol} is_model_ready", client.is_model_ready("iris"))
    check(f"{protocol} is_model_ready of an unknown model is False", not client.is_model_ready("nope"))
    metadata = client.get_model_metadata("iris", as_json=True) if protocol == "grpc" else client.get_model_metadata("iris")
    check(f"{protocol} get_model_metadata", metadata["platform"] == "onnxruntime_onnx", metadata)
    config = client.get_model_config("iris", as_json=True) if protocol == "grpc" else client.get_model_config("iris")
    config = config.get("config", config)
    check(f"{protocol} get_model_config", config["max_batch_size"] == 64 and config["input"][0]["name"] == "input", config)
    index = client.get_model_repository_index(as_json=True) if protocol == "grpc" else client.get_model_repository_index()
    index = index.get("models", index) if isinstance(index, dict) else index
    check(f"{protocol} get_model_repository_index", any(m["name"] == "iris" and m["state"] == "READY" for m in index), index)

    def infer(rows=1, outputs=("label",), binary=True, **kwargs):
        x = module.InferInput("input", [rows, 4], "FP32")
        extra = {"binary_data": binary} if protocol == "http" else {}
        x.set_data_from_numpy(ROWS[:rows], **extra)
        requested = [module.InferRequestedOutput(o, **extra) for o in outputs]
        return client.infer("iris", [x], outputs=requested, **kwargs)

    check(f"{protocol} infer (the README's call)", infer().as_numpy("label").tolist() == [2])
    check(f"{protocol} infer, 3 rows, both outputs", infer(3, ("label", "probabilities")).as_numpy("label").tolist() == LABELS)
    if protocol == "http":
        check("http infer as JSON", infer(binary=False).as_numpy("label").tolist() == [2])
        for algorithm in ("gzip", "deflate"):
            check(f"http infer, {algorithm} request", infer(request_compression_algorithm=algorithm).as_numpy("label").tolist() == [2])
            check(f"http infer, {algorithm} response", infer(response_compression_algorithm=algorithm).as_numpy("label").tolist() == [2])
    else:
        for algorithm in ("gzip", "deflate"):
            check(f"grpc infer, {algorithm}", infer(compression_algorithm=algorithm).as_numpy("label").tolist() == [2])
    answer = infer(request_id="r-7", priority=1, timeout=1_000_000, model_version="1", parameters={"my_key": "v"})
    check(f"{protocol} infer echoes the request id", answer.get_response(as_json=True)["id"] == "r-7" if protocol == "grpc" else answer.get_response()["id"] == "r-7")
    x = module.InferInput("input", [1, 4], "FP32")
    x.set_data_from_numpy(ROWS[:1])
    top = client.infer("iris", [x], outputs=[module.InferRequestedOutput("probabilities", class_count=2)]).as_numpy("probabilities")
    check(f"{protocol} class_count", [v.decode() if isinstance(v, bytes) else v for v in top[0]] == ["0.923333:2:virginica", "0.076667:1:versicolor"], top)

    bad = module.InferInput("input", [1, 3], "FP32")
    bad.set_data_from_numpy(ROWS[:1, :3])
    refused(f"{protocol} a bad shape", lambda: client.infer("iris", [bad]), 400 if protocol == "http" else "INVALID_ARGUMENT")
    refused(f"{protocol} an unknown model", lambda: client.get_model_metadata("nope"), 404 if protocol == "http" else "NOT_FOUND")
    refused(f"{protocol} shared memory", client.get_system_shared_memory_status, 501 if protocol == "http" else "UNIMPLEMENTED")
    refused(f"{protocol} a config override on load", lambda: client.load_model("iris", config='{"max_batch_size": 8}'), 400 if protocol == "http" else "INVALID_ARGUMENT")

    client.unload_model("iris")
    check(f"{protocol} is_model_ready after unload_model is False", not client.is_model_ready("iris"))
    client.load_model("iris")
    check(f"{protocol} is_model_ready after load_model", client.is_model_ready("iris"))
    stats = client.get_inference_statistics("iris", as_json=True) if protocol == "grpc" else client.get_inference_statistics("iris")
    check(f"{protocol} get_inference_statistics", stats["model_stats"][0]["name"] == "iris", stats)


http = httpclient.InferenceServerClient(HTTP)
run(http, httpclient, "http")
x = httpclient.InferInput("input", [1, 4], "FP32")
x.set_data_from_numpy(ROWS[:1])
check("http async_infer", http.async_infer("iris", [x]).get_result().as_numpy("label").tolist() == [2])
http.close()

grpc = grpcclient.InferenceServerClient(GRPC)
run(grpc, grpcclient, "grpc")
answers = queue.Queue()
grpc.start_stream(callback=lambda result, error: answers.put((result, error)))
for i, row in enumerate(ROWS):
    x = grpcclient.InferInput("input", [1, 4], "FP32")
    x.set_data_from_numpy(row.reshape(1, 4))
    grpc.async_stream_infer("iris", [x], request_id=str(i), enable_empty_final_response=True)
streamed = {}
for _ in ROWS:
    result, error = answers.get(timeout=30)
    check("grpc stream answer", error is None, error)
    if error is None:
        response = result.get_response()
        check("grpc stream answer is final", response.parameters["triton_final_response"].bool_param)
        streamed[int(response.id)] = int(result.as_numpy("label")[0])
grpc.stop_stream()
check("grpc stream labels", [streamed.get(i) for i in range(len(ROWS))] == LABELS, streamed)
grpc.close()


async def asyncio_client():
    client = aioclient.InferenceServerClient(GRPC)
    x = aioclient.InferInput("input", [1, 4], "FP32")
    x.set_data_from_numpy(ROWS[:1])
    label = (await client.infer("iris", [x])).as_numpy("label").tolist()
    await client.close()
    return label


check("grpc.aio infer", asyncio.run(asyncio_client()) == [2])
print(f"tritonclient: {len(failures)} failed" if failures else "tritonclient: every call answered as Triton's")
sys.exit(1 if failures else 0)
