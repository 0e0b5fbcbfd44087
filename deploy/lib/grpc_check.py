"""deploy/test.sh's gRPC check of a running container, through its published gRPC port.

Usage: python3 grpc_check.py PROTO_DIR HOST:PORT MODEL
Asks grpc.health.v1 (the service Kubernetes' grpc probes call) for readiness and for the "live" service, then the
KServe V2 ServerLive, ModelReady and a one-row ModelInfer of the seed request (the iris forest's label 2). Stubs are
generated at run time from the server's own .proto by grpc_tools (Debian's python3-grpc-tools). Prints one line per
check; exits 1 on the first failure.
"""
import importlib
import shutil
import struct
import subprocess
import sys
import tempfile

import grpc

proto_dir, address, model = sys.argv[1], sys.argv[2], sys.argv[3]
stubs = tempfile.mkdtemp(prefix="modelhost-deploy-grpc-")
try:
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + stubs,
                    "--grpc_python_out=" + stubs, "grpc_service.proto"], check=True)
    sys.path.insert(0, stubs)
    pb = importlib.import_module("grpc_service_pb2")
    pb_grpc = importlib.import_module("grpc_service_pb2_grpc")
finally:
    shutil.rmtree(stubs, ignore_errors=True)

channel = grpc.insecure_channel(address)
grpc.channel_ready_future(channel).result(timeout=10)

# grpc.health.v1.Health/Check without its .proto: the request is field 1 (service name, a string), the answer field 1
# (status, an enum: 1 is SERVING). Hand-encoded, since Debian has no grpcio-health-checking package.
check = channel.unary_unary("/grpc.health.v1.Health/Check")
for service in ("", "live"):
    name = service.encode()
    request = (b"\x0a" + bytes([len(name)]) + name) if name else b""
    answer = check(request, timeout=5)
    if answer != b"\x08\x01":
        sys.exit("grpc.health.v1 Check(%r) answered %r, expected SERVING" % (service, answer))
print("grpc.health.v1: ready and live SERVING")

stub = pb_grpc.GRPCInferenceServiceStub(channel)
if not stub.ServerLive(pb.ServerLiveRequest(), timeout=5).live:
    sys.exit("ServerLive answered not live")
if not stub.ModelReady(pb.ModelReadyRequest(name=model), timeout=5).ready:
    sys.exit("ModelReady(%s) answered not ready" % model)
request = pb.ModelInferRequest(model_name=model, id="seed")
request.inputs.add(name="input", datatype="FP32", shape=[1, 4])
request.outputs.add(name="label")
request.raw_input_contents.append(struct.pack("<4f", 5.9, 3.0, 5.1, 1.8))
response = stub.ModelInfer(request, timeout=10)
label = struct.unpack("<q", response.raw_output_contents[0])[0]
if label != 2:
    sys.exit("ModelInfer(%s) answered label %d, expected 2" % (model, label))
print("KServe V2 gRPC: ServerLive, ModelReady(%s) and the seed request (label %d)" % (model, label))
