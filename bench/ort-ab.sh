#!/usr/bin/env bash
# Before/after for the move from Modelhost's own ONNX Runtime binding to the official package: builds the baseline
# (commit d67753c, the last one on the binding, as a git worktree under bench/.out/ab/) and the current tree, and in one
# run, alternating the two, measures what must not regress:
#   - the seed request's req/s through the server (POST /predict on models/, closed loop, 64 connections, bench/Load);
#   - the MLP's rows/s in process at batch 1 and 64 (bench/InProcess measure, one session, one caller);
#   - bytes allocated per seed request on the whole server path (bench/Alloc).
# Each figure is the median of the rounds; the report has every round's figures and the after/before ratio.
#
#   bash bench/ort-ab.sh [--quick] [--rounds N] [--no-build] [--baseline COMMIT]
#   (also: bash bench/run.sh --only ort-ab [--quick])
#
# The report goes to stdout and bench/results/ort-ab.md; raw files in bench/.out/ab/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AB=$ROOT/bench/.out/ab
PY=/usr/bin/python3
BASELINE=d67753c
ROUNDS=3
QUICK=0
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --baseline) BASELINE=$2; shift ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ $QUICK = 1 ]; then
  WARMUP=2 DURATION=3 INPROC_SECONDS=0.5 ALLOC_REQUESTS=2000 ROUNDS=1
else
  WARMUP=8 DURATION=10 INPROC_SECONDS=3 ALLOC_REQUESTS=20000
fi
SEED_BODY='{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}'
mkdir -p "$AB/logs" "$AB/results" "$ROOT/bench/results"
log() { printf '[ort-ab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# ---------------------------------------------------------------- build both sides
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
publish() { # publish SIDE TREE PROJECT
  local side=$1 tree=$2 project=$3 name
  name=$(basename "$project" | tr '[:upper:]' '[:lower:]')
  log "building $side: $project (Release)"
  timeout 900 dotnet publish "$tree/$project" -c Release -o "$AB/$side/$name" --artifacts-path "$AB/artifacts-$side" -nologo \
    >"$AB/logs/build-$side-$name.log" 2>&1 || { grep -E 'error' "$AB/logs/build-$side-$name.log" | sort -u | head -n 20 >&2; die "building $side $project failed"; }
}
if [ $BUILD = 1 ]; then
  if [ ! -d "$AB/baseline-tree" ]; then
    log "checking out the baseline $BASELINE into $AB/baseline-tree"
    git -C "$ROOT" worktree add --detach "$AB/baseline-tree" "$BASELINE" >"$AB/logs/worktree.log" 2>&1 || die "git worktree add failed (see $AB/logs/worktree.log)"
  fi
  for project in src/Modelhost bench/InProcess bench/Alloc; do
    publish before "$AB/baseline-tree" "$project"
    publish after "$ROOT" "$project"
  done
  publish after "$ROOT" bench/Load # one load generator for both sides
fi
for f in before/modelhost/modelhost after/modelhost/modelhost before/inprocess/inprocess after/inprocess/inprocess before/alloc/Alloc after/alloc/Alloc after/load/load; do
  [ -x "$AB/$f" ] || die "$AB/$f is missing; run without --no-build"
done
rm -f "$AB/results/"* # no figure of an earlier run may stand in for one this run failed to write
"$AB/after/inprocess/inprocess" prepare --out "$AB/data" 2>>"$AB/logs/inprocess.log" || die "generating the MLP failed"
MODELS=$ROOT/models
[ -f "$MODELS/iris/1/model.onnx" ] || die "$MODELS/iris/1/model.onnx is missing"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

seed_run() { # seed_run SIDE ROUND
  local side=$1 round=$2 port deadline
  port=$(free_port)
  setsid "$AB/$side/modelhost/modelhost" serve --models "$MODELS" --urls "http://127.0.0.1:$port" >"$AB/logs/server-$side-r$round.log" 2>&1 </dev/null &
  SERVER_PID=$!
  deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/health/ready" || true)" = 200 ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the $side server exited (log: $AB/logs/server-$side-r$round.log)"
    [ $SECONDS -lt $deadline ] || die "the $side server was not ready in 120 s"
    sleep 0.1
  done
  timeout --kill-after=5 300 "$AB/after/load/load" run --name "seed_${side}_r$round" --out "$AB/results/seed_${side}_r$round.json" \
    --url "http://127.0.0.1:$port/predict" --body "$SEED_BODY" --connections 64 --threads 2 --warmup "$WARMUP" --duration "$DURATION" \
    --pid "$SERVER_PID" --expect-contains '"result":[2]' --max-requests 2000000 2>>"$AB/logs/load.log" || log "load run seed_${side}_r$round failed"
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

for round in $(seq 1 "$ROUNDS"); do
  # The order flips every round, so that neither side always runs on a machine warmed (or loaded) by the other.
  if [ $((round % 2)) = 1 ]; then order=(before after); else order=(after before); fi
  for side in "${order[@]}"; do
    log "round $round of $ROUNDS: $side: seed /predict"
    seed_run "$side" "$round"
    log "round $round of $ROUNDS: $side: MLP in process"
    "$AB/$side/inprocess/inprocess" measure --model "$AB/data/mlp.onnx" --out "$AB/results/inprocess_${side}_r$round.json" \
      --seconds "$INPROC_SECONDS" 2>>"$AB/logs/inprocess.log" || log "inprocess $side round $round failed"
    log "round $round of $ROUNDS: $side: allocation per request"
    (cd "$ROOT" && "$AB/$side/alloc/Alloc" "$MODELS" "$ALLOC_REQUESTS") >"$AB/results/alloc_${side}_r$round.txt" 2>>"$AB/logs/alloc.log" \
      || log "alloc $side round $round failed"
  done
done

"$PY" - "$AB/results" "$ROUNDS" "$BASELINE" "$(git -C "$ROOT" rev-parse --short HEAD)" "$QUICK" <<'PYEOF' | tee "$ROOT/bench/results/ort-ab.md"
import json, os, re, statistics, sys, datetime
results, rounds, baseline, head, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "1"

def seed(side, r):
    try: return json.load(open(os.path.join(results, f"seed_{side}_r{r}.json"))).get("rps")
    except (OSError, ValueError): return None

def mlp(side, r, batch):
    try: points = json.load(open(os.path.join(results, f"inprocess_{side}_r{r}.json")))["points"]
    except (OSError, ValueError, KeyError): return None
    for p in points:
        if p["batch"] == batch and p["threads"] == 1: return p["rows_per_s"]
    return None

def alloc(side, r):
    try: text = open(os.path.join(results, f"alloc_{side}_r{r}.txt")).read()
    except OSError: return None
    m = re.search(r"^iris /predict\s+(\d+)", text, re.M)
    return float(m.group(1)) if m else None

rows = [("seed /predict req/s (64 connections)", lambda s, r: seed(s, r), True),
        ("MLP in process, rows/s at batch 1", lambda s, r: mlp(s, r, 1), True),
        ("MLP in process, rows/s at batch 64", lambda s, r: mlp(s, r, 64), True),
        ("bytes allocated per seed request", lambda s, r: alloc(s, r), False)]
loadavg = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
print(f"# ONNX Runtime: the binding ({baseline}) vs the official package ({head})\n")
print(f"{datetime.date.today()}, {os.cpu_count()} CPUs, load average {loadavg} at the end, {rounds} round(s) alternating{' (--quick: indicative only)' if quick else ''}.\n")
print("| figure | before (binding) | after (package) | after ÷ before | target | rounds before / after |")
print("| --- | ---: | ---: | ---: | --- | --- |")
for name, get, higher in rows:
    b = [v for v in (get("before", r) for r in range(1, rounds + 1)) if v is not None]
    a = [v for v in (get("after", r) for r in range(1, rounds + 1)) if v is not None]
    if not a or not b:
        print(f"| {name} | n/a | n/a | n/a | | |"); continue
    mb, ma = statistics.median(b), statistics.median(a)
    ratio = ma / mb if mb else float("nan")
    target = "≥ 0.97" if higher else "≤ 1.03"
    fmt = lambda xs: ", ".join(f"{x:.0f}" for x in xs)
    print(f"| {name} | {mb:.0f} | {ma:.0f} | {ratio:.3f} | {target} | {fmt(b)} / {fmt(a)} |")
PYEOF
