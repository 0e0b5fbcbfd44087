#!/usr/bin/env bash
# The clients Triton and KServe users already have, against Modelhost: starts `modelhost serve` on the demo
# repository (loopback, free ports, a throwaway data directory), runs eng/interop/tritonclient_check.py and
# eng/interop/kserve_check.py with whichever of the two libraries python3 can import, and Triton's perf_analyzer
# over gRPC and HTTP where it is on PATH, and stops the server.
#
#   pip install tritonclient[all] kserve perf-analyzer     # where a Python package index is reachable
#   bash eng/interop/run.sh [MODELHOST_DLL]  # default: builds src/Modelhost (Debug) and runs that
#
# Not part of .ci/run: CI's machines reach no Python package index, and neither library may be copied into the repo.
# The wire behaviours these clients depend on are pinned by the suite's own tests (see DEVELOPERS.md, "Real clients").
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-python3}
dll=${1:-}
if [ -z "$dll" ]; then
  dotnet build "$ROOT/src/Modelhost" -nologo -v q >/dev/null
  dll=$ROOT/src/Modelhost/bin/Debug/net10.0/modelhost.dll
fi

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
grpc_port=$(free_port)
data=$(mktemp -d)
dotnet "$dll" serve --models "$ROOT/models" --urls "http://127.0.0.1:$http_port" --grpc-urls "http://127.0.0.1:$grpc_port" \
  --data-dir "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$http_port/v2/health/ready" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { tail -n 20 "$data/server.log" >&2; exit 1; }
  sleep 0.2
done

status=0 ran=0
if "$PYTHON" -c 'import tritonclient.grpc, tritonclient.http' 2>/dev/null; then
  ran=1
  "$PYTHON" "$ROOT/eng/interop/tritonclient_check.py" "127.0.0.1:$http_port" "127.0.0.1:$grpc_port" || status=1
else
  echo "tritonclient is not installed: skipped (pip install tritonclient[all])" >&2
fi
if "$PYTHON" -c 'import kserve.inference_client' 2>/dev/null; then
  ran=1
  "$PYTHON" "$ROOT/eng/interop/kserve_check.py" "http://127.0.0.1:$http_port" "127.0.0.1:$grpc_port" || status=1
else
  echo "kserve is not installed: skipped (pip install kserve)" >&2
fi
if command -v perf_analyzer >/dev/null 2>&1; then
  # Triton's load generator: it reads the model's config and metadata and the statistics' queue and phase counts.
  for protocol in grpc http; do
    port=$([ $protocol = grpc ] && echo "$grpc_port" || echo "$http_port")
    ran=1
    if perf_analyzer -m iris -i $protocol -u "127.0.0.1:$port" --concurrency-range 2 -p 1000 -s 50 >"$data/pa-$protocol.log" 2>&1 \
      && grep -q "Server:" "$data/pa-$protocol.log"; then
      echo "perf_analyzer -i $protocol: measured, with the server's figures"
    else
      tail -n 5 "$data/pa-$protocol.log" >&2
      echo "perf_analyzer -i $protocol: FAILED" >&2
      status=1
    fi
  done
else
  echo "perf_analyzer is not installed: skipped (pip install perf-analyzer)" >&2
fi
[ $ran = 1 ] || { echo "no client is installed: nothing was checked" >&2; exit 2; }
exit $status
