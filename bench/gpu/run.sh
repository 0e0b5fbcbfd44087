#!/usr/bin/env bash
# CUDA end to end, for a machine with an NVIDIA GPU (none of the project's machines has one): builds the GPU profile
# (-p:ModelhostGpu=true: Microsoft.ML.OnnxRuntime.Gpu.Linux), then
#   1. serves iris and the MLP with `session: {execution_providers: [cuda]}` and checks that both load READY and
#      answer (the seed request's [2], a V2 infer on the MLP);
#   2. runs iris (batch 1 and 64), the MLP (batch 1 and 64) and the face detector (BlazeFace front, batch 1) in process
#      on CUDA and on the CPU, and prints rows/s for each with the CUDA ÷ CPU ratio.
#
#   bash bench/gpu/run.sh [--cpu-only] [--seconds S]
#
# --cpu-only builds the default (CPU) profile and runs only the CPU half: what can run on a machine without a GPU, to
# check the script itself. Needs: the .NET 10 SDK, curl; for CUDA, the NVIDIA driver, the CUDA 13 and cuDNN libraries on
# the library path (see the README's "Running on a GPU"). Everything goes under bench/.out/gpu/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/bench/.out/gpu
CPU_ONLY=0
SECONDS_PER_POINT=5
while [ $# -gt 0 ]; do
  case $1 in
    --cpu-only) CPU_ONLY=1 ;;
    --seconds) SECONDS_PER_POINT=$2; shift ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '[gpu %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
mkdir -p "$OUT/logs"

PROFILE=()
PROVIDERS=(cpu)
if [ $CPU_ONLY = 0 ]; then
  PROFILE=(-p:ModelhostGpu=true)
  PROVIDERS=(cuda cpu)
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 \
    || log "nvidia-smi not found: the CUDA runs will fail with ONNX Runtime's reason"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Modelhost bench/InProcess; do
  name=$(basename "$project" | tr '[:upper:]' '[:lower:]')
  log "building $project (Release${PROFILE[*]:+, ${PROFILE[*]}})"
  timeout 1800 dotnet publish "$ROOT/$project" -c Release "${PROFILE[@]+"${PROFILE[@]}"}" -o "$OUT/$name" --artifacts-path "$OUT/artifacts" -nologo \
    >"$OUT/logs/build-$name.log" 2>&1 || { grep -E 'error' "$OUT/logs/build-$name.log" | sort -u | head -n 20 >&2; die "building $project failed"; }
done
"$OUT/inprocess/inprocess" prepare --out "$OUT/data" 2>>"$OUT/logs/inprocess.log" || die "generating the MLP failed"
DETECTOR=$ROOT/models/face-front/1/model.onnx
[ -f "$DETECTOR" ] || die "$DETECTOR is missing (the build of src/Modelhost fetches it)"

# ---------------------------------------------------------------- 1. the server on the first provider
first=${PROVIDERS[0]}
repo=$OUT/repo-$first
rm -rf "$repo"
mkdir -p "$repo/iris/1" "$repo/mlp/1"
cp "$ROOT/models/iris/1/model.onnx" "$repo/iris/1/"
cp "$OUT/data/mlp.onnx" "$repo/mlp/1/model.onnx"
printf 'default: true\nfeatures: [sepal_length, sepal_width, petal_length, petal_width]\nsession: {execution_providers: [%s]}\n' "$first" >"$repo/iris/model.yaml"
printf 'max_batch_size: 64\nsession: {execution_providers: [%s]}\n' "$first" >"$repo/mlp/model.yaml"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "serving iris and the MLP on $first (port $port)"
"$OUT/modelhost/modelhost" serve --models "$repo" --urls "http://127.0.0.1:$port" >"$OUT/logs/serve-$first.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/v2/health/live" && break
  kill -0 "$server" 2>/dev/null || { tail -n 20 "$OUT/logs/serve-$first.log" >&2; die "the server exited"; }
  sleep 0.1
done
index=$(curl -s -X POST "http://127.0.0.1:$port/v2/repository/index" -H 'Content-Type: application/json' -d '{}')
echo "repository index on $first: $index"
case $index in *UNAVAILABLE*) die "a model did not load on $first (the reason is in the index above)" ;; esac
seed=$(curl -s -X POST "http://127.0.0.1:$port/predict" -H 'Content-Type: application/json' \
  -d '{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}')
[ "$seed" = '{"result":[2]}' ] || die "the seed request on $first answered $seed"
mlp_body=$(python3 -c 'import json; print(json.dumps({"inputs": [{"name": "x", "shape": [1, 512], "datatype": "FP32", "data": [0.01] * 512}]}))')
curl -s -f -o /dev/null -X POST "http://127.0.0.1:$port/v2/models/mlp/infer" -H 'Content-Type: application/json' -d "$mlp_body" \
  || die "the MLP on $first did not answer"
echo "server on $first: iris answered [2], the MLP answered"
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT

# ---------------------------------------------------------------- 2. throughput in process, each provider
points=("$ROOT/models/iris/1/model.onnx:1" "$ROOT/models/iris/1/model.onnx:64" "$OUT/data/mlp.onnx:1" "$OUT/data/mlp.onnx:64" "$DETECTOR:1")
: >"$OUT/throughput.jsonl"
for point in "${points[@]}"; do
  for providers in "${PROVIDERS[@]}"; do
    log "$(basename "$(dirname "${point%:*}")")/$(basename "${point%:*}") batch ${point##*:} on $providers"
    "$OUT/inprocess/inprocess" providers --model "${point%:*}" --providers "$providers" --batch "${point##*:}" --seconds "$SECONDS_PER_POINT" \
      >>"$OUT/throughput.jsonl" 2>>"$OUT/logs/inprocess.log" || log "failed (see $OUT/logs/inprocess.log)"
  done
done
python3 - "$OUT/throughput.jsonl" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
label = lambda path: "MLP" if path.endswith("mlp.onnx") else "iris forest" if "/iris/" in path else "face detector" if "face" in path else path
for r in rows:
    r["model"] = label(r["model"])
by = {(r["model"], r["batch"], r["providers"]): r for r in rows}
print("| model | batch | CPU rows/s | CUDA rows/s | CUDA ÷ CPU |")
print("| --- | ---: | ---: | ---: | ---: |")
for (model, batch) in dict.fromkeys((r["model"], r["batch"]) for r in rows):
    cpu, cuda = by.get((model, batch, "cpu")), by.get((model, batch, "cuda"))
    c = f'{cpu["rows_per_s"]:.0f}' if cpu else "n/a"
    g = f'{cuda["rows_per_s"]:.0f}' if cuda else "n/a"
    ratio = f'{cuda["rows_per_s"] / cpu["rows_per_s"]:.2f}' if cpu and cuda else "n/a"
    print(f"| {model} | {batch} | {c} | {g} | {ratio} |")
PYEOF
