#!/usr/bin/env bash
# Where the server's CPU goes under one of the benchmark's loads: starts Modelhost from the binaries bench/run.sh
# published, drives the load with the bench's generator, samples the server with `perf record` during the measured
# window, and prints the CPU split by component (ONNX Runtime, kernel, managed code by assembly, the .NET runtime)
# with CPU milliseconds per request.
#
#   bash bench/profile.sh [seed|mlp-json|mlp-binary]     (default: mlp-binary)
#
# Needs bench/.out from a previous `bash bench/run.sh` (any scenario that builds the server; `--only batching` for
# the MLP loads) and `perf` (Debian's linux-perf, installed when missing, as root). The report goes to stdout and
# to bench/results/profile-SCENARIO.md. Like the rest of bench/, figures are only meaningful on a quiet machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/.out
SCENARIO=${1:-mlp-binary}
PORT=18765
WARMUP=${PROFILE_WARMUP:-10}
SECONDS_SAMPLED=8

die() { echo "profile: $*" >&2; exit 1; }
[ -x "$OUT/modelhost/modelhost" ] && [ -x "$OUT/load/load" ] || die "run 'bash bench/run.sh --only batching' first (bench/.out is missing)"
if ! command -v perf >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "perf is missing; install Debian's linux-perf"
  apt-get install -y -qq linux-perf >/dev/null 2>&1 || die "could not install linux-perf"
fi

case $SCENARIO in
  seed)
    repo=$ROOT/models url=/predict connections=64
    body=(--body '{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}' --expect-contains '"result":[2]') ;;
  mlp-json)
    repo=$OUT/repos/mlp_b32_d20000_i2_t1 url=/v2/models/mlp/infer connections=64
    body=(--body-file "$OUT/data/mlp_row.json" --expect-contains '"outputs"') ;;
  mlp-binary)
    repo=$OUT/repos/mlp_b32_d20000_i2_t1_bin url=/v2/models/mlp/infer connections=64
    [ -f "$OUT/data/mlp_row.bin.hlen" ] || die "run 'bash bench/run.sh --only batching' first (no MLP bodies)"
    body=(--body-file "$OUT/data/mlp_row.bin" --content-type application/octet-stream
      --header "Inference-Header-Content-Length: $(cat "$OUT/data/mlp_row.bin.hlen")" --expect-contains '"outputs"') ;;
  *) die "unknown scenario '$SCENARIO': seed, mlp-json or mlp-binary" ;;
esac
[ -d "$repo" ] || die "$repo is missing; run 'bash bench/run.sh --only batching' first"

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "${PROFILE_KEEP:-}" ] && echo "profile: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The perf map names JIT-compiled methods; with W^X off their code sits in one mapping perf can attribute.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$OUT/modelhost/modelhost" serve --models "$repo" \
  --urls "http://127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited: $(tail -n 5 "$work/server.log")"
  sleep 0.2
done

"$OUT/load/load" run --name "profile-$SCENARIO" --url "http://127.0.0.1:$PORT$url" "${body[@]}" --connections "$connections" \
  --threads 2 --warmup "$WARMUP" --duration "$((SECONDS_SAMPLED + 2))" --timeout-ms 30000 --pid "$server_pid" \
  --out "$work/load.json" 2>"$work/load.log" &
load_pid=$!
sleep "$((WARMUP + 1))"
perf record -F 999 -g -p "$server_pid" -o "$work/perf.data" -- sleep "$SECONDS_SAMPLED" >/dev/null 2>"$work/perf.log" ||
  die "perf record failed: $(tail -n 3 "$work/perf.log")"
wait "$load_pid" || die "the load run failed: $(tail -n 3 "$work/load.log")"
perf report -i "$work/perf.data" --no-children --sort dso,sym -g none --percent-limit 0 --stdio 2>/dev/null >"$work/report.txt"

mkdir -p "$ROOT/bench/results"
/usr/bin/python3 - "$work/report.txt" "$work/load.json" "$SCENARIO" "$ROOT/bench/results/profile-$SCENARIO.md" <<'EOF'
import json, re, sys
report, load, scenario, out = sys.argv[1:]
run = json.load(open(load))
groups, managed, kernel = {}, {}, {}
line_re = re.compile(r"^\s*([\d.]+)%\s+(\S.*?)\s+\[(.)\]\s+(.*)$")
for line in open(report, encoding="utf-8", errors="replace"):
    m = line_re.match(line)
    if not m:
        continue
    pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
    if dso.startswith("[kernel"):
        group = "kernel (TCP, scheduling, system calls)"
        k = "scheduling and context switches" if re.search(r"sched|switch|futex|hrtimeout|yield", sym) else "other kernel work"
        kernel[k] = kernel.get(k, 0) + pct
    elif "libonnxruntime" in dso:
        group = "ONNX Runtime"
    elif dso.startswith("[JIT]") or dso.startswith("memfd:") or dso.startswith("perf-") or dso.endswith(".dll"):
        group = "managed code (.NET libraries, ASP.NET Core, Modelhost)"
        a = re.search(r"\[([A-Za-z][\w.]*)\]", sym)
        name = a.group(1) if a else "unresolved"
        managed[name] = managed.get(name, 0) + pct
    elif "libcoreclr" in dso or "libclrjit" in dso or "libSystem" in dso:
        group = ".NET runtime (GC, thread pool, JIT, interop)"
    else:
        group = "libc and other native code"
    groups[group] = groups.get(group, 0) + pct
total = sum(groups.values()) or 1
cpu_ms = run.get("server", {}).get("cpu_ms_per_request")
lines = [f"# Server profile: {scenario}", "",
         f"- load: {run.get('connections')} connections, closed loop; {run.get('rps', 0):,.0f} req/s;"
         f" server CPU {run.get('server', {}).get('cpu_pct', '?')}% of a core, {cpu_ms} ms per request;"
         f" client CPU {run.get('client', {}).get('cpu_pct', '?')}%; host steal {run.get('machine_steal_pct', '?')}%",
         "- `perf record -F 999 -g` on the server for the middle of the window; shares of the server's samples", "",
         "| component | share | CPU ms per request |", "| --- | --- | --- |"]
for g, p in sorted(groups.items(), key=lambda kv: -kv[1]):
    ms = f"{cpu_ms * p / total:.4f}" if cpu_ms else "n/a"
    lines.append(f"| {g} | {100 * p / total:.1f}% | {ms} |")
lines += ["", "| kernel, split | share |", "| --- | --- |"]
lines += [f"| {k} | {100 * p / total:.1f}% |" for k, p in sorted(kernel.items(), key=lambda kv: -kv[1])]
lines += ["", "| managed code by assembly (top 10) | share |", "| --- | --- |"]
lines += [f"| {k} | {100 * p / total:.1f}% |" for k, p in sorted(managed.items(), key=lambda kv: -kv[1])[:10]]
text = "\n".join(lines) + "\n"
open(out, "w", encoding="utf-8").write(text)
print(text)
EOF
