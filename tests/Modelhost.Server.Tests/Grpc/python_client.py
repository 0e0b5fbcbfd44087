"""An independent gRPC client for Modelhost: Python's grpcio, stubs generated at run time from the server's .proto.

Usage: python3 python_client.py PROTO_DIR HOST:PORT REFERENCE_JSON
Runs the liveness, readiness and metadata calls, the seed request (one iris row, raw FP32), the same row with Triton's
classification parameter, and the 150 iris reference rows (typed fp32_contents), and checks the labels against scikit-learn's. Prints one line per check; exits 1 on a failure.
"""
import atexit
import importlib
import json
import shutil
import struct
import subprocess
import sys
import tempfile

proto_dir, address, reference_path = sys.argv[1], sys.argv[2], sys.argv[3]
stubs = tempfile.mkdtemp(prefix="modelhost-grpc-")
atexit.register(shutil.rmtree, stubs, True)
subprocess.run(
    [sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + stubs, "--grpc_python_out=" + stubs,
     "grpc_service.proto"],
    check=True)
sys.path.insert(0, stubs)
import grpc  # noqa: E402
pb = importlib.import_module("grpc_service_pb2")
pb_grpc = importlib.import_module("grpc_service_pb2_grpc")

stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(address))
assert stub.ServerLive(pb.ServerLiveRequest()).live
assert stub.ServerReady(pb.ServerReadyRequest()).ready
# As Triton: a model that is not served is not ready, which is not an error (tritonclient's is_model_ready() polls it).
assert stub.ModelReady(pb.ModelReadyRequest(name="iris")).ready
assert not stub.ModelReady(pb.ModelReadyRequest(name="nope")).ready
metadata = stub.ModelMetadata(pb.ModelMetadataRequest(name="iris"))
assert metadata.platform == "onnxruntime_onnx", metadata
print("live, ready, metadata: ok", [i.name for i in metadata.inputs], [o.name for o in metadata.outputs])

# The seed request: one row, raw little-endian FP32; the label comes back raw INT64.
request = pb.ModelInferRequest(model_name="iris", id="seed")
request.inputs.add(name="input", datatype="FP32", shape=[1, 4])
request.outputs.add(name="label")
request.raw_input_contents.append(struct.pack("<4f", 5.9, 3.0, 5.1, 1.8))
response = stub.ModelInfer(request)
label = struct.unpack("<q", response.raw_output_contents[0])[0]
assert response.id == "seed" and response.outputs[0].datatype == "INT64" and label == 2, (response, label)
print("seed request: label", label)

# Triton's classification parameter on the same row: the top 2 probabilities as "value:index:label" BYTES elements.
request = pb.ModelInferRequest(model_name="iris")
request.inputs.add(name="input", datatype="FP32", shape=[1, 4])
request.outputs.add(name="probabilities").parameters["classification"].int64_param = 2
request.raw_input_contents.append(struct.pack("<4f", 5.9, 3.0, 5.1, 1.8))
response = stub.ModelInfer(request)
raw, classes = response.raw_output_contents[0], []
while raw:
    (size,) = struct.unpack("<I", raw[:4])
    classes.append(raw[4:4 + size].decode())
    raw = raw[4 + size:]
assert response.outputs[0].datatype == "BYTES" and list(response.outputs[0].shape) == [1, 2], response.outputs[0]
assert len(classes) == 2 and classes[0].endswith(":2:virginica") and classes[1].endswith(":1:versicolor"), classes
print("classification:", " ".join(classes))

# The reference rows, sent as typed contents this time.
with open(reference_path) as f:
    reference = json.load(f)
rows = reference["x"]
request = pb.ModelInferRequest(model_name="iris")
tensor = request.inputs.add(name="input", datatype="FP32", shape=[len(rows), 4])
tensor.contents.fp32_contents.extend(v for row in rows for v in row)
request.outputs.add(name="label")
response = stub.ModelInfer(request)
labels = list(struct.unpack("<%dq" % len(rows), response.raw_output_contents[0]))
if labels != reference["label"]:
    print("labels differ from scikit-learn's:", labels, file=sys.stderr)
    sys.exit(1)
print("reference rows: %d labels match scikit-learn" % len(labels))

# The stream, as tritonclient's async_stream_infer(enable_empty_final_response=True) uses it: requests go out, and
# each request's end is the answer marked triton_final_response.
def stream_requests():
    for i, row in enumerate(rows[:10]):
        request = pb.ModelInferRequest(model_name="iris", id="row-%d" % i)
        request.parameters["triton_enable_empty_final_response"].bool_param = True
        request.inputs.add(name="input", datatype="FP32", shape=[1, 4])
        request.outputs.add(name="label")
        request.raw_input_contents.append(struct.pack("<4f", *row))
        yield request

finished = {}
for answer in stub.ModelStreamInfer(stream_requests()):
    assert answer.error_message == "", answer.error_message
    response = answer.infer_response
    if response.raw_output_contents:
        finished[response.id] = struct.unpack("<q", response.raw_output_contents[0])[0]
    assert response.parameters["triton_final_response"].bool_param, response
streamed = [finished["row-%d" % i] for i in range(10)]
assert streamed == reference["label"][:10], (streamed, reference["label"][:10])
print("stream: %d requests each ended by triton_final_response, labels match" % len(streamed))

# The statistics perf_analyzer reads: it finds the version it measured by the growth of the queue count.
stats = stub.ModelStatistics(pb.ModelStatisticsRequest(name="iris")).model_stats[0].inference_stats
assert stats.success.count > 0 and stats.queue.count == stats.success.count, stats
assert stats.compute_infer.count > 0 and stats.compute_infer.ns > 0, stats
print("statistics: %d requests, queue and compute phases counted" % stats.success.count)

# An unknown model: NOT_FOUND, with a message.
try:
    stub.ModelInfer(pb.ModelInferRequest(model_name="nope"))
    sys.exit("an unknown model was served")
except grpc.RpcError as error:
    assert error.code() == grpc.StatusCode.NOT_FOUND, error
    print("unknown model:", error.code().name, error.details())
