"""KServe's Python SDK (InferenceRESTClient with the v2 and v1 protocols, InferenceGRPCClient) against a running Modelhost
serving the demo repository.

    python3 eng/interop/kserve_check.py http://localhost:8080 localhost:8081

Needs `pip install kserve`; eng/interop/run.sh starts the server and runs this. Exits 1 at the first call that does
not answer as a KServe model server would.
"""
import asyncio
import sys

import httpx
import numpy as np
from kserve.inference_client import InferenceGRPCClient, InferenceRESTClient, RESTConfig
from kserve.protocol.infer_type import InferInput, InferRequest, RequestedOutput

HTTP, GRPC = sys.argv[1], sys.argv[2]
ROWS = np.array([[5.9, 3.0, 5.1, 1.8], [5.1, 3.5, 1.4, 0.2]], dtype=np.float32)
failures = []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(name)


def request(binary=False, outputs=None):
    x = InferInput(name="input", shape=[2, 4], datatype="FP32")
    x.set_data_from_numpy(ROWS, binary_data=binary)
    return InferRequest(model_name="iris", infer_inputs=[x], request_id="k-1", request_outputs=outputs)


def labels(response):
    return response.id, {o.name: o.as_numpy().tolist() for o in response.outputs}.get("label")


async def main():
    rest = InferenceRESTClient(RESTConfig(protocol="v2"))
    check("rest is_server_live", await rest.is_server_live(HTTP) is True)
    check("rest is_server_ready", await rest.is_server_ready(HTTP) is True)
    check("rest is_model_ready", await rest.is_model_ready(HTTP, "iris") is True)
    check("rest is_model_ready of an unknown model is False", await rest.is_model_ready(HTTP, "nope") is False)
    for binary in (False, True):
        answer = labels(await rest.infer(HTTP, request(binary), model_name="iris"))
        check(f"rest infer, binary={binary}", answer == ("k-1", [2, 0]), answer)
    only = [RequestedOutput(name="label", parameters={"binary_data": True})]
    answer = labels(await rest.infer(HTTP, request(True, only), model_name="iris"))
    check("rest infer, the label alone as binary data", answer == ("k-1", [2, 0]), answer)
    await rest.close()

    # RESTConfig's default protocol is v1: KServe's own V1 routes, whose predict is TF Serving's.
    v1 = InferenceRESTClient(RESTConfig())
    check("v1 is_server_live", await v1.is_server_live(HTTP) is True)
    check("v1 is_model_ready", await v1.is_model_ready(HTTP, "iris") is True)
    try:
        await v1.is_model_ready(HTTP, "nope")
        check("v1 is_model_ready of an unknown model raises, as KServe's 404 does", False, "no error")
    except httpx.HTTPStatusError as error:
        check("v1 is_model_ready of an unknown model raises, as KServe's 404 does", error.response.status_code == 404, error)
    answer = await v1.infer(HTTP, {"instances": ROWS.tolist()}, model_name="iris")
    check("v1 infer", [p["label"] for p in answer["predictions"]] == [2, 0], answer)
    try:
        await v1.explain(HTTP, "iris", {"instances": ROWS.tolist()})
        check("v1 explain raises 501 (no explainers are served)", False, "no error")
    except httpx.HTTPStatusError as error:
        check("v1 explain raises 501 (no explainers are served)", error.response.status_code == 501, error)
    await v1.close()

    grpc = InferenceGRPCClient(GRPC)
    check("grpc is_server_live", await grpc.is_server_live() is True)
    check("grpc is_server_ready", await grpc.is_server_ready() is True)
    check("grpc is_model_ready", await grpc.is_model_ready("iris") is True)
    check("grpc is_model_ready of an unknown model is False", await grpc.is_model_ready("nope") is False)
    answer = labels(await grpc.infer(request()))
    check("grpc infer", answer == ("k-1", [2, 0]), answer)
    answer = labels(await grpc.infer(request(outputs=[RequestedOutput(name="label")])))
    check("grpc infer, the label alone", answer == ("k-1", [2, 0]), answer)
    await grpc.close()


asyncio.run(main())
print(f"kserve: {len(failures)} failed" if failures else "kserve: every call answered as a KServe model server's")
sys.exit(1 if failures else 0)
