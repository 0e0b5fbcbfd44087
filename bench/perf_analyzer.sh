#!/usr/bin/env bash
# Triton's own load generator, perf_analyzer, against Modelhost: the batching MLP (512 FP32 in and out, hidden 2048)
# and the thin MLP (hidden 32) over gRPC, HTTP binary tensors and HTTP JSON, 64 requests in flight (--async), the
# protocols taking turns for three rounds after a warm-up one. Per run: rows/s and the mean batch (the server's
# statistics), the server's CPU per row (/proc/PID/stat) and perf_analyzer's own (GNU time), all over the whole
# invocation. Every run sends the same row (sin(i), as bench/GrpcBench), so JSON carries the same text as there.
#
#   bash bench/perf_analyzer.sh     # needs perf_analyzer on PATH (pip install perf-analyzer) and GNU time
#
# Builds Modelhost and bench/GrpcBench (which writes the models) in Release into bench/.out unless they are there.
# Not part of run.sh: perf_analyzer is not a Debian package, and this machine reaches no Python package index.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/.out
WINDOW_MS=${WINDOW_MS:-1500}
command -v perf_analyzer >/dev/null 2>&1 || { echo "perf_analyzer is not on PATH (pip install perf-analyzer)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing (apt-get install time)" >&2; exit 2; }
for project in src/Modelhost bench/GrpcBench; do
  name=$(basename "$project" | tr '[:upper:]' '[:lower:]')
  [ -f "$OUT/$name/$name.dll" ] || dotnet publish "$ROOT/$project" -c Release -o "$OUT/$name" --artifacts-path "$OUT/artifacts" -nologo >/dev/null
done

work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
dotnet "$OUT/grpcbench/grpcbench.dll" --write-models "$work/models"
python3 -c '
import json, math, struct, sys
row = [struct.unpack("f", struct.pack("f", math.sin(i)))[0] for i in range(512)]
json.dump({"data": [{"x": {"content": row, "shape": [512]}}]}, open(sys.argv[1], "w"))' "$work/row.json"

port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http=$(port) grpc=$(port)
dotnet "$OUT/modelhost/modelhost.dll" serve --models "$work/models" --urls "http://127.0.0.1:$http" \
  --grpc-urls "http://127.0.0.1:$grpc" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$http/v2/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
counts() { curl -sf "http://127.0.0.1:$http/v2/models/$1/stats" | python3 -c 'import json, sys; s = json.load(sys.stdin)["model_stats"][0]; print(s["inference_count"], s["execution_count"])'; }
run() { # MODEL PROTOCOL: one perf_analyzer invocation; prints a table row
  local model=$1 protocol=$2 args
  case $protocol in
    gRPC) args=(-i grpc -u "127.0.0.1:$grpc") ;;
    "HTTP binary") args=(-i http -u "127.0.0.1:$http") ;;
    "HTTP JSON") args=(-i http -u "127.0.0.1:$http" --input-tensor-format json --output-tensor-format json) ;;
  esac
  local rows0 runs0 rows1 runs1 cpu0 cpu1 t0 t1
  read -r rows0 runs0 < <(counts "$model"); cpu0=$(cpu_ticks); t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/time" perf_analyzer -m "$model" "${args[@]}" --input-data "$work/row.json" --async \
    --concurrency-range 64 -p "$WINDOW_MS" -s 100 -r 3 >"$work/pa.log" 2>&1 || { tail -n 5 "$work/pa.log" >&2; exit 1; }
  t1=$(date +%s.%N); cpu1=$(cpu_ticks); read -r rows1 runs1 < <(counts "$model")
  python3 - "$model" "$protocol" "$rows0" "$rows1" "$runs0" "$runs1" "$cpu0" "$cpu1" "$t0" "$t1" $(cat "$work/time") <<'PY'
import sys
model, protocol = sys.argv[1:3]
rows0, rows1, runs0, runs1, cpu0, cpu1 = map(int, sys.argv[3:9])
t0, t1, user, system = map(float, sys.argv[9:13])
rows, runs = rows1 - rows0, max(1, runs1 - runs0)
print(f"| {model} | {protocol} | {rows / (t1 - t0):.0f} | {rows / runs:.1f} | {(cpu1 - cpu0) / 100 * 1e6 / rows:.1f} | {(user + system) * 1e6 / rows:.1f} |")
PY
}

echo "perf_analyzer, 64 in flight (--async), ${WINDOW_MS} ms windows, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "| model | protocol | rows/s | mean batch | server CPU µs/row | perf_analyzer CPU µs/row |"
echo "| --- | --- | --- | --- | --- | --- |"
for model in mlp-thin mlp; do
  for protocol in gRPC "HTTP binary" "HTTP JSON"; do run "$model" "$protocol" >/dev/null; done
  for _ in 1 2 3; do
    for protocol in gRPC "HTTP binary" "HTTP JSON"; do run "$model" "$protocol"; done
  done
done
