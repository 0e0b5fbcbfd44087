#!/usr/bin/env bash
# The Modelhost benchmark suite: builds everything in Release, starts the peers on free loopback ports, runs every
# scenario (bounded in time and count, each with a warm-up), stops everything, and prints the report.
#
#   bash bench/run.sh [--quick] [--update-results] [--no-build] [--only SCENARIO]
#
#   --quick            a smoke test: every scenario, much shorter (about 5 minutes instead of 18)
#   --update-results   also copy the report to bench/RESULTS.md (the committed figures)
#   --no-build         reuse the binaries in bench/.out from the previous run instead of publishing again
#   --only SCENARIO    run one scenario: inprocess, trees, seed, auth, metrics, batching, binary, process, learners, forecast, decode, memory or grpc (others
#                      n/a; batching also runs inprocess, the limit its ratio is computed against); or ort-ab, the before/after
#                      of the ONNX Runtime package against the old binding (bench/ort-ab.sh, its own report)
#
# The report goes to stdout and to bench/results/latest.md; raw JSON per run in bench/.out/results/, logs in
# bench/.out/logs/. See bench/README.md for what each scenario measures and how to read the ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/.out
RESULTS=$OUT/results
LOGS=$OUT/logs
DATA=$OUT/data
REPOS=$OUT/repos
PY=/usr/bin/python3 # Debian's, where python3-flask and python3-sklearn go; not a pyenv one on PATH
COMMAND="bash bench/run.sh${*:+ $*}"

QUICK=0
UPDATE=0
BUILD=1
ONLY=
SCENARIOS=(inprocess trees seed auth metrics batching binary process learners forecast decode memory grpc) # in the order they run
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case $arg in
    --quick) QUICK=1 ;;
    --update-results) UPDATE=1 ;;
    --no-build) BUILD=0 ;;
    --only=*) ONLY=${arg#--only=} ;;
    --only)
      [ $# -gt 0 ] || { echo "error: --only needs a scenario: ${SCENARIOS[*]}" >&2; exit 2; }
      ONLY=$1
      shift
      ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "error: unknown option '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done
if [ "$ONLY" = ort-ab ]; then
  # Not part of the whole suite: it builds a second tree (the baseline) and has its own report (see bench/ort-ab.sh).
  [ $UPDATE = 0 ] || { echo "error: --update-results needs the whole suite; leave out --only" >&2; exit 2; }
  ab_args=()
  [ $QUICK = 1 ] && ab_args+=(--quick)
  [ $BUILD = 0 ] && ab_args+=(--no-build)
  exec bash "$BENCH/ort-ab.sh" "${ab_args[@]+"${ab_args[@]}"}"
fi
if [ -n "$ONLY" ]; then
  case " ${SCENARIOS[*]} " in
    *" $ONLY "*) ;;
    *)
      echo "error: unknown scenario '$ONLY'; the scenarios are: ${SCENARIOS[*]}" >&2
      exit 2
      ;;
  esac
  if [ $UPDATE = 1 ]; then
    echo "error: --update-results needs the whole suite; leave out --only" >&2
    exit 2
  fi
fi

# wants SCENARIO: whether this run includes it.
wants() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

if [ $QUICK = 1 ]; then
  WARMUP=1 DURATION=3          # seed and binary runs
  SEED_ROUNDS=1 SEED_REWARMUP=1
  MLP_WARMUP=2 MLP_DURATION=4  # batching runs (the MLP is slow per row)
  BATCHER_WARMUP=1 BATCHER_SECONDS=2
  INPROC_SECONDS=0.5 STARTUP_RUNS=3 IDLE_SECONDS=5 WRK_SECONDS=3
  TREES_SECONDS=1
  GRPC_SECONDS=1 GRPC_WARMUP=2
  MLP_CONFIGS=(off b64_d2000_i2 b32_d20000_i2_t1 off_bin b32_d20000_i2_t1_bin)
  LEARNER_REPS=3
  FORECAST_REPS=1 # passes over the classic series, after one unmeasured pass
  DECODE_ITERATIONS=10 DECODE_REQUESTS=10
  MEMORY_BURST_SECONDS=10 MEMORY_IDLE_SECONDS=60
else
  WARMUP=8 DURATION=10
  SEED_ROUNDS=3 SEED_REWARMUP=2 # Modelhost and the ceiling alternate 3 times; the median round counts
  MLP_WARMUP=12 MLP_DURATION=15
  BATCHER_WARMUP=5 BATCHER_SECONDS=8
  INPROC_SECONDS=3 STARTUP_RUNS=7 IDLE_SECONDS=30 WRK_SECONDS=10
  TREES_SECONDS=5
  GRPC_SECONDS=3 GRPC_WARMUP=6
  # A label ending in _bin is the config before it, loaded with V2 binary tensors instead of JSON.
  MLP_CONFIGS=(off b64_d2000 b64_d2000_i2 b64_d500_i2 b64_d2000_pref_i2 b64_d20000 b32_d20000_i2_t1
    off_bin b64_d20000_bin b32_d20000_i2_t1_bin)
  LEARNER_REPS=15
  FORECAST_REPS=5
  DECODE_ITERATIONS=30 DECODE_REQUESTS=30
  MEMORY_BURST_SECONDS=20 MEMORY_IDLE_SECONDS=60
fi
MAX_REQUESTS=2000000 # every load run stops at this many measured responses, whatever its duration
SEED_BODY='{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}'

# The script's own messages go to its original stderr (fd 3), even from a trap that runs while a child's output is
# redirected to a log.
exec 3>&2
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&3; }
die() {
  log "error: $*"
  exit 1
}

# ---------------------------------------------------------------- processes: started here, stopped here
PIDS=()
LAST_PID=

# Starts a server in its own process group (so that its workers stop with it), logging to $LOGS/NAME.log.
start_server() {
  local name=$1
  shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null 3>&- &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  log "started $name (pid $LAST_PID): $*"
}

# SIGTERM to the process group, up to 15 s to exit, then SIGKILL.
stop_pid() {
  local pid=$1 i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 15 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  local kept=()
  for i in "${PIDS[@]}"; do [ "$i" = "$pid" ] || kept+=("$i"); done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

# run_child CMD...: runs a bounded command in the background and waits for it, so that a signal to the script is
# handled at once (bash runs traps only between foreground commands) and the command is stopped with the rest.
CHILD=
run_child() {
  "$@" 3>&- &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return $rc
}

cleanup() {
  local pid
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http NAME PID TIMEOUT_S EXPECTED_CODE CURL_ARGS...: polls until the URL answers EXPECTED_CODE; fails with the
# server's log if the server exits or the time runs out.
wait_http() {
  local name=$1 pid=$2 timeout=$3 expected=$4
  shift 4
  local deadline=$((SECONDS + timeout)) code
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOGS/$name.log" >&2 || true
      die "$name exited before it was ready (log: $LOGS/$name.log)"
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" || true)
    [ "$code" = "$expected" ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$LOGS/$name.log" >&2 || true
      die "$name did not answer $expected within ${timeout} s (last: ${code:-no answer}; log: $LOGS/$name.log)"
    fi
    sleep 0.1
  done
}

# run_load NAME LOAD_ARGS...: one bounded run of the load generator, result in $RESULTS/NAME.json. A failed run is
# recorded as unavailable (the report shows n/a with the reason) and the suite goes on.
run_load() {
  local name=$1
  shift
  local rc=0
  run_child timeout --kill-after=5 600 "$OUT/load/load" run --name "$name" --out "$RESULTS/$name.json" --max-requests "$MAX_REQUESTS" "$@" \
    2>>"$LOGS/load.log" || rc=$?
  tail -n 1 "$LOGS/load.log" | sed 's/^load: /  /' >&3
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
    log "the load generator failed on $name (exit $rc; see $LOGS/load.log)"
    printf '{"name": "%s", "unavailable": "load generator exit %s, see bench/.out/logs/load.log"}\n' "$name" "$rc" >"$RESULTS/$name.json"
  fi
}

# ---------------------------------------------------------------- 1. what the suite needs
install_missing() {
  local need=()
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  # The gRPC scenario's load generator for all three protocols: nghttp2's h2load (unless GRPCBENCH_GENERATOR=dotnet).
  if wants grpc && [ "${GRPCBENCH_GENERATOR:-h2load}" = h2load ]; then
    command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
  fi
  [ -x "$PY" ] || need+=(python3)
  [ -x /usr/bin/gunicorn ] || need+=(gunicorn)
  "$PY" -c 'import flask' 2>/dev/null || need+=(python3-flask)
  # The modern Python peer of the seed scenario: FastAPI behind uvicorn.
  "$PY" -c 'import fastapi' 2>/dev/null || need+=(python3-fastapi)
  [ -x /usr/bin/uvicorn ] || need+=(uvicorn)
  "$PY" -c 'import sklearn' 2>/dev/null || need+=(python3-sklearn)
  # The seed built a pandas DataFrame per request; the peer does the same when pandas is there.
  "$PY" -c 'import pandas' 2>/dev/null || need+=(python3-pandas)
  # The forecast scenario's reference: R's forecast::ets (Debian's r-cran-forecast brings R with it).
  if wants forecast; then
    { command -v Rscript >/dev/null 2>&1 && Rscript --vanilla -e 'library(forecast)' >/dev/null 2>&1; } || need+=(r-cran-forecast)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them with apt-get (root is needed)"
    log "installing ${need[*]}"
    timeout 900 apt-get update -q >"$LOGS/apt.log" 2>&1 || die "apt-get update failed (see $LOGS/apt.log)"
    DEBIAN_FRONTEND=noninteractive timeout 1800 apt-get install -y -q -o DPkg::Lock::Timeout=600 "${need[@]}" >>"$LOGS/apt.log" 2>&1 \
      || die "apt-get install ${need[*]} failed (see $LOGS/apt.log)"
  fi
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is not installed"
  "$PY" -c 'import flask, sklearn' || die "flask and scikit-learn are not importable by $PY"
}

build() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  local project name projects=()
  # The learners and forecast scenarios need only their own projects, decode its own and the server, auth and memory the server
  # and the load generator;
  # every other one needs the server and the three tools.
  if [ "$ONLY" = auth ] || [ "$ONLY" = memory ]; then
    projects+=(src/Modelhost bench/Load)
  elif [ "$ONLY" = decode ] || [ "$ONLY" = grpc ]; then
    projects+=(src/Modelhost)
  elif [ "$ONLY" != learners ] && [ "$ONLY" != decode ] && [ "$ONLY" != forecast ]; then
    projects+=(src/Modelhost bench/Ceiling bench/InProcess bench/Load)
  fi
  if wants learners; then projects+=(bench/Learners); fi
  if wants forecast; then projects+=(bench/Forecast); fi
  if wants decode; then projects+=(bench/Decode); fi
  if wants grpc; then projects+=(bench/GrpcBench); fi
  if [ $BUILD = 0 ]; then
    for project in "${projects[@]}"; do
      name=$(basename "$project" | tr '[:upper:]' '[:lower:]')
      [ -x "$OUT/$name/$name" ] || die "--no-build: $OUT/$name/$name is missing; run once without --no-build"
    done
    if wants decode; then
      [ -x "$OUT/decode-before/decode" ] && [ -x "$OUT/modelhost-before/modelhost" ] \
        || die "--no-build: the decode scenario's before side is missing in $OUT; run once without --no-build"
    fi
    log "--no-build: reusing the binaries in $OUT"
    return
  fi
  # Intermediate files go under bench/.out/artifacts, apart from the bin/ and obj/ of anyone building src/ meanwhile.
  for project in "${projects[@]}"; do
    name=$(basename "$project" | tr '[:upper:]' '[:lower:]')
    log "building $project (Release)"
    run_child timeout 900 dotnet publish "$ROOT/$project" -c Release -o "$OUT/$name" --artifacts-path "$OUT/artifacts" -nologo \
      >"$LOGS/build-$name.log" 2>&1 || {
      grep -E 'error|Error' "$LOGS/build-$name.log" | sort -u | head -n 20 >&2 || true
      die "building $project failed (log: $LOGS/build-$name.log)"
    }
  done
  if wants decode; then build_before; fi
}

# The decode scenario's before side: the tree of commit $DECODE_BEFORE (Modelhost.Vision's managed PNG and JPEG
# decoders), extracted from git into bench/.out; bench/Decode built against its Modelhost.Vision, and its server.
DECODE_BEFORE=d67753c
build_before() {
  local src=$OUT/before-src
  rm -rf "$src"
  mkdir -p "$src"
  git -C "$ROOT" archive "$DECODE_BEFORE" | tar -x -C "$src" || die "extracting commit $DECODE_BEFORE failed (a clone without that history?)"
  log "building bench/Decode against Modelhost.Vision of $DECODE_BEFORE (Release)"
  run_child timeout 900 dotnet publish "$ROOT/bench/Decode" -c Release -p:DecodeSide=before \
    -p:VisionProject="$src/src/Modelhost.Vision/Modelhost.Vision.csproj" -o "$OUT/decode-before" \
    --artifacts-path "$OUT/artifacts-before" -nologo >"$LOGS/build-decode-before.log" 2>&1 \
    || die "building bench/Decode (before) failed (log: $LOGS/build-decode-before.log)"
  log "building the server of $DECODE_BEFORE (Release)"
  run_child timeout 900 dotnet publish "$src/src/Modelhost" -c Release -o "$OUT/modelhost-before" \
    --artifacts-path "$OUT/artifacts-before" -nologo >"$LOGS/build-modelhost-before.log" 2>&1 \
    || die "building the server of $DECODE_BEFORE failed (log: $LOGS/build-modelhost-before.log)"
}

# ---------------------------------------------------------------- model repositories for the server runs
make_repo() { # make_repo REPO MODEL ONNX_FILE YAML
  local dir=$REPOS/$1/$2
  mkdir -p "$dir/1"
  ln -f "$3" "$dir/1/model.onnx" 2>/dev/null || cp "$3" "$dir/1/model.onnx"
  printf '%s\n' "$4" >"$dir/model.yaml"
}

mlp_yaml() { # the label without _bin: the protocol is not the model's business
  case ${1%_bin} in
    off) printf 'max_batch_size: 0' ;;
    b64_d2000) printf 'max_batch_size: 64\ndynamic_batching:\n  max_queue_delay_us: 2000' ;;
    b64_d2000_i2) printf 'max_batch_size: 64\ndynamic_batching:\n  max_queue_delay_us: 2000\ninstances: 2' ;;
    b64_d500_i2) printf 'max_batch_size: 64\ndynamic_batching:\n  max_queue_delay_us: 500\ninstances: 2' ;;
    b64_d2000_pref_i2) printf 'max_batch_size: 64\ndynamic_batching:\n  max_queue_delay_us: 2000\n  preferred_batch_sizes: [16, 32, 64]\ninstances: 2' ;;
    b64_d20000) printf 'max_batch_size: 64\ndynamic_batching:\n  max_queue_delay_us: 20000' ;;
    b32_d20000_i2_t1) printf 'max_batch_size: 32\ndynamic_batching:\n  max_queue_delay_us: 20000\ninstances: 2\nsession:\n  intra_op_threads: 1' ;;
    *) die "unknown MLP config $1" ;;
  esac
}

mlp_desc() {
  case ${1%_bin} in
    off) printf 'batching off (`max_batch_size: 0`)' ;;
    b64_d2000) printf 'max_batch_size 64, max_queue_delay_us 2000' ;;
    b64_d2000_i2) printf 'max_batch_size 64, max_queue_delay_us 2000, instances 2' ;;
    b64_d500_i2) printf 'max_batch_size 64, max_queue_delay_us 500, instances 2' ;;
    b64_d2000_pref_i2) printf 'max_batch_size 64, max_queue_delay_us 2000, preferred [16, 32, 64], instances 2' ;;
    b64_d20000) printf 'max_batch_size 64, max_queue_delay_us 20000' ;;
    b32_d20000_i2_t1) printf 'max_batch_size 32, max_queue_delay_us 20000, instances 2, intra_op_threads 1' ;;
  esac
}

mlp_protocol() { case $1 in *_bin) printf binary ;; *) printf json ;; esac; }

prepare() {
  rm -rf "$DATA" "$REPOS"
  run_child "$OUT/inprocess/inprocess" prepare --out "$DATA" 2>>"$LOGS/inprocess.log" || die "generating the models failed (see $LOGS/inprocess.log)"
  local cfg
  for cfg in "${MLP_CONFIGS[@]}"; do
    make_repo "mlp_$cfg" mlp "$DATA/mlp.onnx" "$(mlp_yaml "$cfg")"
  done
  make_repo binary sum "$DATA/sum.onnx" "max_batch_size: 0"
  make_repo binary identity "$DATA/identity.onnx" "max_batch_size: 0"
}

start_modelhost() { # start_modelhost NAME REPOSITORY [SERVE_ARGS...]: on a free port; sets MH_PORT and MH_PID
  local name=$1 repo=$2
  shift 2
  MH_PORT=$(free_port)
  # gRPC on a port of its own choosing: scenarios run two servers side by side, and 8081 is the default for both.
  start_server "$name" "$OUT/modelhost/modelhost" serve --models "$repo" --urls "http://127.0.0.1:$MH_PORT" \
    --grpc-urls "http://127.0.0.1:0" "$@"
  MH_PID=$LAST_PID
  wait_http "$name" "$MH_PID" 120 200 "http://127.0.0.1:$MH_PORT/v2/health/ready"
}

# median_round RESULTS_NAME: of the rounds RESULTS_NAME_r1.json, _r2.json, ..., keeps the one with the median req/s as
# RESULTS_NAME.json, with every round's req/s in rounds_rps and server CPU ms per request in rounds_cpu_ms.
median_round() {
  "$PY" - "$RESULTS" "$1" <<'PYEOF'
import glob, json, os, sys
results, name = sys.argv[1], sys.argv[2]
runs = []
for f in sorted(glob.glob(os.path.join(results, name + "_r*.json"))):
    with open(f) as fh:
        runs.append(json.load(fh))
good = sorted((r for r in runs if "rps" in r), key=lambda r: r["rps"])
pick = dict(good[(len(good) - 1) // 2]) if good else (runs[0] if runs else {"name": name, "unavailable": "not run"})
pick["name"] = name
if good:
    pick["rounds_rps"] = [r["rps"] for r in runs if "rps" in r]
    pick["rounds_cpu_ms"] = [r.get("server", {}).get("cpu_ms_per_request") for r in runs if "rps" in r]
with open(os.path.join(results, name + ".json"), "w") as fh:
    json.dump(pick, fh, indent=2)
PYEOF
}

# ---------------------------------------------------------------- scenarios
scenario_seed() {
  log "scenario: seed request on the iris forest (Modelhost vs Flask+gunicorn and FastAPI+uvicorn vs the HTTP ceiling)"
  local ceiling_port flask_port
  ceiling_port=$(free_port)
  start_server ceiling "$OUT/ceiling/ceiling" --urls "http://127.0.0.1:$ceiling_port"
  local ceiling_pid=$LAST_PID
  start_modelhost modelhost_seed "$ROOT/models"
  local modelhost_pid=$MH_PID modelhost_port=$MH_PORT
  flask_port=$(free_port)
  # Debian's OpenBLAS settings slow numpy here (see the machine notes); unset both for the peer, as a user would.
  start_server flask env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" /usr/bin/gunicorn -w 2 -b "127.0.0.1:$flask_port" \
    --chdir "$BENCH/peers/seed_flask" app:app
  local flask_pid=$LAST_PID
  local fastapi_port
  fastapi_port=$(free_port)
  start_server fastapi env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" /usr/bin/uvicorn --workers 2 --host 127.0.0.1 \
    --port "$fastapi_port" --no-access-log --app-dir "$BENCH/peers/seed_fastapi" app:app
  local fastapi_pid=$LAST_PID

  local -A port=([ceiling]=$ceiling_port [modelhost]=$modelhost_port [flask]=$flask_port [fastapi]=$fastapi_port)
  local -A pid=([ceiling]=$ceiling_pid [modelhost]=$modelhost_pid [flask]=$flask_pid [fastapi]=$fastapi_pid)
  local srv c
  for srv in ceiling modelhost flask fastapi; do
    # The Flask peer trains its forest at startup: give it time.
    wait_http "$srv" "${pid[$srv]}" 120 200 -X POST -H 'Content-Type: application/json' -d "$SEED_BODY" "http://127.0.0.1:${port[$srv]}/predict"
  done

  # Modelhost and the ceiling alternate over SEED_ROUNDS rounds and each figure is the round with the median
  # req/s, so that a burst of host steal in one window does not decide a ratio. Flask runs once: at 1/300 of the
  # others, its noise does not matter. The servers stay up, so only the first round needs the full warm-up.
  local round warm
  for round in $(seq 1 "$SEED_ROUNDS"); do
    warm=$WARMUP
    [ "$round" -gt 1 ] && warm=$SEED_REWARMUP
    for c in 16 64; do
      for srv in ceiling modelhost flask fastapi; do
        [ "$srv" = flask ] || [ "$srv" = fastapi ] && [ "$round" -gt 1 ] && continue
        log "seed: $srv, closed loop, $c connections, round $round of $SEED_ROUNDS"
        run_load "seed_${srv}_c${c}_r$round" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" --connections "$c" \
          --threads 2 --warmup "$warm" --duration "$DURATION" --pid "${pid[$srv]}" --expect-contains '"result":[2]'
      done
    done
  done
  for c in 16 64; do
    for srv in ceiling modelhost flask fastapi; do median_round "seed_${srv}_c$c"; done
  done

  # The fixed offered rate: 25% of the best throughput the ceiling reached above.
  local best rate
  best=$("$PY" -c '
import json, sys
best = 0
for f in sys.argv[1:]:
    try:
        best = max(best, json.load(open(f)).get("rps", 0))
    except (OSError, ValueError):
        pass
print(int(best))' "$RESULTS/seed_ceiling_c16.json" "$RESULTS/seed_ceiling_c64.json")
  rate=$((best / 4))
  OPEN_RATE=$rate
  if [ "$rate" -gt 0 ]; then
    for srv in ceiling modelhost; do
      log "seed: $srv, open loop at $rate req/s (25% of the ceiling's $best)"
      run_load "seed_${srv}_open" --open --rate "$rate" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" \
        --connections 32 --threads 1 --warmup "$WARMUP" --duration "$DURATION" --pid "${pid[$srv]}" --expect-contains '"result":[2]'
    done
  else
    log "seed: the ceiling produced no throughput; skipping the fixed-rate runs"
  fi

  if command -v wrk >/dev/null 2>&1; then
    local lua=$OUT/seed_post.lua
    printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$SEED_BODY'" >"$lua"
    for srv in ceiling modelhost; do
      log "seed: $srv, wrk cross-check, 64 connections"
      run_child timeout --kill-after=5 $((WRK_SECONDS + WARMUP + 30)) wrk -t2 -c64 -d"${WARMUP}s" -s "$lua" "http://127.0.0.1:${port[$srv]}/predict" \
        >/dev/null 2>&1 || true
      run_child timeout --kill-after=5 $((WRK_SECONDS + 30)) wrk -t2 -c64 -d"${WRK_SECONDS}s" --latency -s "$lua" "http://127.0.0.1:${port[$srv]}/predict" \
        >"$RESULTS/wrk_$srv.txt" 2>&1 || log "wrk failed on $srv (see $RESULTS/wrk_$srv.txt)"
    done
  fi

  stop_pid "$flask_pid"
  stop_pid "$fastapi_pid"
  stop_pid "$modelhost_pid"
  stop_pid "$ceiling_pid"
}

scenario_auth() {
  log "scenario: what authentication costs the seed request (an API key vs anonymous loopback)"
  # Two servers with the same settings file but for the key: jobs off (nothing but /predict runs), and one key with
  # the infer role in the keyed server's file, made by the CLI as a user would.
  local dir=$OUT/auth key
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'jobs:\n  enabled: false\n' >"$dir/anonymous.yaml"
  printf 'jobs:\n  enabled: false\n' >"$dir/keyed.yaml"
  key=$(timeout 120 "$OUT/modelhost/modelhost" token create --name bench --role infer --config "$dir/keyed.yaml" \
    2>>"$LOGS/auth_token.log") || die "modelhost token create failed (see $LOGS/auth_token.log)"
  [ -n "$key" ] || die "modelhost token create printed no key (see $LOGS/auth_token.log)"

  start_modelhost modelhost_auth_anonymous "$ROOT/models" --config "$dir/anonymous.yaml"
  local -A port=([anonymous]=$MH_PORT) pid=([anonymous]=$MH_PID)
  start_modelhost modelhost_auth_keyed "$ROOT/models" --config "$dir/keyed.yaml"
  port[keyed]=$MH_PORT pid[keyed]=$MH_PID
  local -A header=([anonymous]= [keyed]="X-Api-Token: $key")
  local post=(-X POST -H 'Content-Type: application/json' -d "$SEED_BODY")
  wait_http modelhost_auth_anonymous "${pid[anonymous]}" 60 200 "${post[@]}" "http://127.0.0.1:${port[anonymous]}/predict"
  wait_http modelhost_auth_keyed "${pid[keyed]}" 60 200 "${post[@]}" -H "${header[keyed]}" "http://127.0.0.1:${port[keyed]}/predict"
  # The keyed server must refuse a request without the key, or the comparison would measure nothing.
  wait_http modelhost_auth_keyed "${pid[keyed]}" 10 401 "${post[@]}" "http://127.0.0.1:${port[keyed]}/predict"

  # An unmeasured warm-up of each server first, so that round 1's warm-up is the second: on a busy machine the server
  # gets part of a core, and 8 s did not tier up the keyed path's code (CPU per request 50% above round 3's).
  local srv
  for srv in anonymous keyed; do
    log "auth: $srv, warm-up"
    run_load "auth_${srv}_warmup" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" \
      ${header[$srv]:+--header "${header[$srv]}"} --connections 64 --threads 2 --warmup "$WARMUP" --duration 1 \
      --expect-contains '"result":[2]'
  done

  # Rounds as in the seed scenario: the two alternate (the order flips every round, so neither always runs right after
  # the warm-up or right before the other's window) and each figure is its median round.
  local round warm order
  for round in $(seq 1 "$SEED_ROUNDS"); do
    warm=$WARMUP
    [ "$round" -gt 1 ] && warm=$SEED_REWARMUP
    order=(anonymous keyed)
    [ $((round % 2)) = 0 ] && order=(keyed anonymous)
    for srv in "${order[@]}"; do
      log "auth: $srv, closed loop, 64 connections, round $round of $SEED_ROUNDS"
      run_load "auth_${srv}_c64_r$round" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" \
        ${header[$srv]:+--header "${header[$srv]}"} \
        --connections 64 --threads 2 --warmup "$warm" --duration "$DURATION" --pid "${pid[$srv]}" --expect-contains '"result":[2]'
    done
  done
  for srv in anonymous keyed; do median_round "auth_${srv}_c64"; done

  stop_pid "${pid[keyed]}"
  stop_pid "${pid[anonymous]}"
}

scenario_metrics() {
  log "scenario: what metrics cost the seed request (metrics on, the default, vs metrics: {enabled: false})"
  # Two servers alike but for metrics, measured in alternating rounds as the auth scenario does; under load from the
  # load generator on the same machine, so the ratio, not the absolute req/s, is the result.
  local dir=$OUT/metrics srv
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'jobs:\n  enabled: false\n' >"$dir/on.yaml"
  printf 'jobs:\n  enabled: false\nmetrics:\n  enabled: false\n' >"$dir/off.yaml"
  local -A port pid
  for srv in on off; do
    start_modelhost "modelhost_metrics_$srv" "$ROOT/models" --config "$dir/$srv.yaml"
    port[$srv]=$MH_PORT pid[$srv]=$MH_PID
    wait_http "modelhost_metrics_$srv" "${pid[$srv]}" 60 200 -X POST -H 'Content-Type: application/json' -d "$SEED_BODY" "http://127.0.0.1:${port[$srv]}/predict"
    run_load "metrics_${srv}_warmup" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" \
      --connections 64 --threads 2 --warmup "$WARMUP" --duration 1 --expect-contains '"result":[2]'
  done
  # The server with metrics on must really export them, or the comparison would measure nothing.
  wait_http modelhost_metrics_on "${pid[on]}" 10 200 "http://127.0.0.1:${port[on]}/metrics"
  wait_http modelhost_metrics_off "${pid[off]}" 10 404 "http://127.0.0.1:${port[off]}/metrics"

  local round warm order
  for round in $(seq 1 "$SEED_ROUNDS"); do
    warm=$WARMUP
    [ "$round" -gt 1 ] && warm=$SEED_REWARMUP
    order=(off on)
    [ $((round % 2)) = 0 ] && order=(on off)
    for srv in "${order[@]}"; do
      log "metrics: $srv, closed loop, 64 connections, round $round of $SEED_ROUNDS"
      run_load "metrics_${srv}_c64_r$round" --url "http://127.0.0.1:${port[$srv]}/predict" --body "$SEED_BODY" \
        --connections 64 --threads 2 --warmup "$warm" --duration "$DURATION" --pid "${pid[$srv]}" --expect-contains '"result":[2]'
    done
  done
  for srv in on off; do median_round "metrics_${srv}_c64"; done
  for srv in on off; do stop_pid "${pid[$srv]}"; done
}

scenario_inprocess() {
  log "scenario: in-process ONNX Runtime, MLP rows/s by batch size"
  run_child timeout --kill-after=5 900 "$OUT/inprocess/inprocess" measure --model "$DATA/mlp.onnx" --out "$RESULTS/inprocess.json" \
    --seconds "$INPROC_SECONDS" 2>>"$LOGS/inprocess.log" || {
    log "the in-process measurement failed (see $LOGS/inprocess.log)"
    printf '{"name": "inprocess", "unavailable": "failed, see bench/.out/logs/inprocess.log"}\n' >"$RESULTS/inprocess.json"
  }
}

# The native tree engine against ONNX Runtime in process (issue 19): rows per CPU-second at batch 1 and 64 on the seed
# forest (the demo repository's iris model) and a 500-tree depth-8 regressor with 50 features.
scenario_trees() {
  log "scenario: tree ensembles in process, the native engine vs ONNX Runtime"
  run_child timeout --kill-after=5 600 "$OUT/inprocess/inprocess" trees --seed-model "$ROOT/models/iris/1/model.onnx" \
    --out "$RESULTS/trees.json" --seconds "$TREES_SECONDS" 2>>"$LOGS/inprocess.log" || {
    log "the tree measurement failed (see $LOGS/inprocess.log)"
    printf '{"name": "trees", "unavailable": "failed, see bench/.out/logs/inprocess.log"}\n' >"$RESULTS/trees.json"
  }
  grep '^inprocess: trees' "$LOGS/inprocess.log" | tail -n 4 | sed 's/^inprocess: /  /' >&3 || true
}

scenario_batching() {
  log "scenario: dynamic batching on the MLP, 64 clients sending one row each"
  local cfg
  # The same configs through Modelhost.Core's batcher in process, 64 callers and no HTTP: what batching itself
  # costs, apart from HTTP, JSON and the client.
  for cfg in "${MLP_CONFIGS[@]}"; do
    case $cfg in off* | *_bin) continue ;; esac
    log "batching: $cfg in process (no HTTP)"
    run_child timeout --kill-after=5 300 "$OUT/inprocess/inprocess" batcher --repo "$REPOS/mlp_$cfg" --model mlp \
      --out "$RESULTS/batcher_$cfg.json" --callers 64 --warmup "$BATCHER_WARMUP" --seconds "$BATCHER_SECONDS" \
      2>>"$LOGS/inprocess.log" || {
      log "the in-process batcher run failed on $cfg (see $LOGS/inprocess.log)"
      printf '{"name": "batcher_%s", "unavailable": "failed, see bench/.out/logs/inprocess.log"}\n' "$cfg" >"$RESULTS/batcher_$cfg.json"
    }
    tail -n 1 "$LOGS/inprocess.log" | sed 's/^inprocess: /  /' >&3
  done
  for cfg in "${MLP_CONFIGS[@]}"; do
    start_modelhost "modelhost_mlp_$cfg" "$REPOS/mlp_$cfg"
    log "batching: $cfg"
    local body=(--body-file "$DATA/mlp_row.json")
    if [ "$(mlp_protocol "$cfg")" = binary ]; then
      body=(--body-file "$DATA/mlp_row.bin" --content-type application/octet-stream
        --header "Inference-Header-Content-Length: $(cat "$DATA/mlp_row.bin.hlen")")
    fi
    run_load "mlp_$cfg" --url "http://127.0.0.1:$MH_PORT/v2/models/mlp/infer" "${body[@]}" --connections 64 --threads 2 \
      --warmup "$MLP_WARMUP" --duration "$MLP_DURATION" --timeout-ms 30000 --pid "$MH_PID" \
      --stats-url "http://127.0.0.1:$MH_PORT/v2/models/mlp/stats" --expect-contains '"outputs"'
    stop_pid "$MH_PID"
  done
}

scenario_binary() {
  log "scenario: a 1 MiB FP32 input as JSON vs the binary tensor extension"
  start_modelhost modelhost_binary "$REPOS/binary"
  local base=http://127.0.0.1:$MH_PORT/v2/models
  local common=(--connections 1 --warmup "$WARMUP" --duration "$DURATION" --timeout-ms 30000 --pid "$MH_PID")
  run_load bin_sum_json --url "$base/sum/infer" --body-file "$DATA/large.json" "${common[@]}" --expect-contains '"outputs"'
  run_load bin_sum_binary --url "$base/sum/infer" --body-file "$DATA/large.bin" --content-type application/octet-stream \
    --header "Inference-Header-Content-Length: $(cat "$DATA/large.bin.hlen")" "${common[@]}" --expect-contains '"outputs"'
  run_load bin_identity_json --url "$base/identity/infer" --body-file "$DATA/large.json" "${common[@]}" --expect-contains '"outputs"'
  run_load bin_identity_binary --url "$base/identity/infer" --body-file "$DATA/large_out.bin" --content-type application/octet-stream \
    --header "Inference-Header-Content-Length: $(cat "$DATA/large_out.bin.hlen")" "${common[@]}" --expect-contains '"outputs"'
  stop_pid "$MH_PID"
}

# gRPC raw tensors vs HTTP binary vs HTTP JSON (issue 15): bench/GrpcBench starts its own `modelhost serve` with both
# ports and reports, per model and protocol, rows/s and the server's CPU per row beyond ONNX Runtime's own; then the
# raw-input copy on its own (--micro).
scenario_grpc() {
  log "scenario: gRPC raw vs HTTP binary vs HTTP JSON on iris and the MLP, ${GRPC_SECONDS} s per protocol"
  {
    # With perf installed, the server's CPU outside ONNX Runtime's code is also measured during the load (OrtShare).
    # h2load drives the three protocols (GRPCBENCH_GENERATOR=dotnet: the .NET clients instead).
    run_child env GRPCBENCH_PERF="$(command -v perf >/dev/null 2>&1 && echo 1 || echo 0)" GRPCBENCH_GENERATOR="${GRPCBENCH_GENERATOR:-h2load}" \
      timeout --kill-after=5 600 "$OUT/grpcbench/grpcbench" "$OUT/modelhost/modelhost.dll" "$GRPC_SECONDS" "$GRPC_WARMUP" \
      && run_child timeout --kill-after=5 300 "$OUT/grpcbench/grpcbench" --micro
  } >"$RESULTS/grpc.md" 2>>"$LOGS/grpc.log" || {
    log "the gRPC measurement failed (see $LOGS/grpc.log)"
    printf 'unavailable: failed, see bench/.out/logs/grpc.log\n' >"$RESULTS/grpc.md"
  }
}

scenario_process_costs() {
  log "scenario: process costs (startup, RSS after warm-up, idle CPU) with the demo repository"
  local port
  port=$(free_port)
  run_child timeout --kill-after=5 $((STARTUP_RUNS * 60 + 30)) "$OUT/load/load" startup --runs "$STARTUP_RUNS" --timeout 30 \
    --ready-url "http://127.0.0.1:$port/v2/health/ready" --out "$RESULTS/startup.json" \
    -- "$OUT/modelhost/modelhost" serve --models "$ROOT/models" --urls "http://127.0.0.1:$port" --grpc-urls "http://127.0.0.1:0" 2>>"$LOGS/load.log" || {
    log "the startup measurement failed (see $LOGS/load.log)"
    [ -s "$RESULTS/startup.json" ] || printf '{"name": "startup", "unavailable": "failed, see bench/.out/logs/load.log"}\n' >"$RESULTS/startup.json"
  }

  start_modelhost modelhost_idle "$ROOT/models"
  wait_http modelhost_idle "$MH_PID" 30 200 -X POST -H 'Content-Type: application/json' -d "$SEED_BODY" "http://127.0.0.1:$MH_PORT/predict"
  run_load rss_warmup --url "http://127.0.0.1:$MH_PORT/predict" --body "$SEED_BODY" --connections 16 --threads 2 --warmup "$WARMUP" \
    --duration "$DURATION" --pid "$MH_PID" --expect-contains '"result":[2]'
  sleep 2
  log "idle: $IDLE_SECONDS s with no requests"
  run_child timeout --kill-after=5 $((IDLE_SECONDS + 60)) "$OUT/load/load" idle --pid "$MH_PID" --seconds "$IDLE_SECONDS" \
    --out "$RESULTS/idle.json" 2>>"$LOGS/load.log" || {
    log "the idle measurement failed (see $LOGS/load.log)"
    printf '{"name": "idle", "unavailable": "failed, see bench/.out/logs/load.log"}\n' >"$RESULTS/idle.json"
  }
  stop_pid "$MH_PID"
}

scenario_learners() {
  log "scenario: built-in learners vs scikit-learn (accuracy, macro-F1, training time; $LEARNER_REPS repetitions)"
  local data=$ROOT/tests/fixtures/tabular splits=$RESULTS/learners_splits.json
  # scikit-learn first: it writes its stratified split's test rows, so that both sides score the same rows. Debian's
  # OpenBLAS settings slow numpy here (see the seed scenario); unset them, as a user would.
  run_child timeout --kill-after=5 1200 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$BENCH/peers/sklearn_learners.py" \
    --data "$data" --out "$RESULTS/learners_sklearn.json" --repetitions "$LEARNER_REPS" --write-splits "$splits" \
    2>>"$LOGS/learners.log" || {
    log "the scikit-learn learners failed (see $LOGS/learners.log)"
    printf '{"name": "learners_sklearn", "unavailable": "failed, see bench/.out/logs/learners.log"}\n' >"$RESULTS/learners_sklearn.json"
  }
  local split_args=()
  [ -s "$splits" ] && split_args=(--splits "$splits")
  run_child timeout --kill-after=5 1200 "$OUT/learners/learners" --data "$data" --out "$RESULTS/learners_modelhost.json" \
    --repetitions "$LEARNER_REPS" "${split_args[@]}" 2>>"$LOGS/learners.log" || {
    log "the Modelhost learners failed (see $LOGS/learners.log)"
    printf '{"name": "learners_modelhost", "unavailable": "failed, see bench/.out/logs/learners.log"}\n' >"$RESULTS/learners_modelhost.json"
  }
  grep -E '^(learners|sklearn_learners):' "$LOGS/learners.log" | tail -n 12 | sed 's/^/  /' >&3 || true
}

scenario_forecast() {
  log "scenario: ETS on $(($(wc -l <"$BENCH/data/classic_series_meta.csv") - 1)) classic series, Modelhost vs R's forecast::ets ($FORECAST_REPS measured passes)"
  # R first, as the other peers; each side reads bench/data and holds out the same last h points of every series.
  run_child timeout --kill-after=5 1800 Rscript --vanilla "$BENCH/peers/ets_reference.R" --data "$BENCH/data" \
    --out "$RESULTS/forecast_r.json" --repetitions "$FORECAST_REPS" 2>>"$LOGS/forecast.log" || {
    log "R's forecast::ets failed (see $LOGS/forecast.log)"
    printf '{"name": "forecast_r", "unavailable": "failed, see bench/.out/logs/forecast.log"}\n' >"$RESULTS/forecast_r.json"
  }
  run_child timeout --kill-after=5 1200 "$OUT/forecast/forecast" --data "$BENCH/data" --out "$RESULTS/forecast_modelhost.json" \
    --repetitions "$FORECAST_REPS" 2>>"$LOGS/forecast.log" || {
    log "the Modelhost forecasts failed (see $LOGS/forecast.log)"
    printf '{"name": "forecast_modelhost", "unavailable": "failed, see bench/.out/logs/forecast.log"}\n' >"$RESULTS/forecast_modelhost.json"
  }
  grep -E '^(forecast|ets_reference): [0-9]+ series' "$LOGS/forecast.log" | tail -n 2 | sed 's/^/  /' >&3 || true
}

scenario_decode() {
  log "scenario: image decoding before ($DECODE_BEFORE, managed decoders) and after (SkiaSharp), $DECODE_ITERATIONS decodes per case"
  local dir=$OUT/decode-run side file
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'jobs:\n  enabled: false\n' >"$dir/config.yaml"
  run_child "$OUT/decode/decode" photo --from "$ROOT/tests/fixtures/images/hubble_deep_field.jpg" --out "$dir/photo_12mp.jpg" \
    2>>"$LOGS/decode.log" || die "making the 12-megapixel photo failed (see $LOGS/decode.log)"
  # In process: the two sides one after the other, per file, twice (before, after, after, before); the second pass counts.
  for file in "$dir/photo_12mp.jpg" "$ROOT/tests/fixtures/images/hubble_deep_field.jpg"; do
    for side in before after after before; do
      local exe=$OUT/decode/decode
      [ $side = before ] && exe=$OUT/decode-before/decode
      run_child timeout --kill-after=5 1200 "$exe" measure --file "$file" --iterations "$DECODE_ITERATIONS" --input 128 \
        --out "$RESULTS/decode_${side}_$(basename "${file%.jpg}").json" 2>>"$LOGS/decode.log" || log "decode measure ($side) failed (see $LOGS/decode.log)"
    done
  done
  # Through real servers: both up at once, requests sent one at a time, alternating.
  start_modelhost modelhost_after "$ROOT/models" --config "$dir/config.yaml"
  local after_url="http://127.0.0.1:$MH_PORT/v1/vision/face-front:detect" after_pid=$MH_PID before_port
  before_port=$(free_port)
  start_server modelhost_before "$OUT/modelhost-before/modelhost" serve --models "$ROOT/models" --urls "http://127.0.0.1:$before_port" --config "$dir/config.yaml"
  local before_pid=$LAST_PID
  wait_http modelhost_before "$before_pid" 120 200 "http://127.0.0.1:$before_port/v2/health/ready"
  run_child timeout --kill-after=5 1800 "$OUT/decode/decode" http --file "$dir/photo_12mp.jpg" --requests "$DECODE_REQUESTS" \
    --before "http://127.0.0.1:$before_port/v1/vision/face-front:detect,$before_pid" --after "$after_url,$after_pid" \
    --out "$RESULTS/decode_http.json" 2>>"$LOGS/decode.log" || log "the detect requests failed (see $LOGS/decode.log)"
  stop_pid "$before_pid"
  stop_pid "$after_pid"
  grep -E '^decode:' "$LOGS/decode.log" | tail -n 12 | sed 's/^/  /' >&3 || true
}

scenario_memory() {
  log "scenario: memory after bursts of large JSON bodies and of highly compressed large PNGs"
  local dir=$OUT/memory
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'jobs:\n  enabled: false\n' >"$dir/config.yaml"
  # A KServe V2 infer body of 4 MB: 64 iris rows (the model's max_batch_size) and 4 MB in a request parameter, which the
  # server buffers whole and skips; and a detect body holding a 4000x4000 one-colour PNG: 53 KB compressed, 48 MB of
  # RGB pixels (64 MB as the image budget counts them) once decoded.
  "$PY" - "$dir" <<'PYEOF'
import base64, json, struct, sys, zlib
d = sys.argv[1]
rows = 64
data = ",".join("5.9,3.0,5.1,1.8" for _ in range(rows))
with open(f"{d}/infer.json", "w") as f:
    f.write('{"parameters":{"pad":"%s"},"inputs":[{"name":"input","shape":[%d,4],"datatype":"FP32","data":[%s]}],"outputs":[{"name":"label"}]}'
            % ("x" * (4 << 20), rows, data))
w = h = 4000
raw = (b"\x00" + bytes([200, 120, 40]) * w) * h
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(f"{d}/detect.json", "w") as f:
    json.dump({"requests": [{"image": {"content": base64.b64encode(png).decode()}}]}, f)
print(f"memory: infer body 4 MiB + {len(data)} bytes, PNG {len(png)} bytes compressed", file=sys.stderr)
PYEOF
  start_modelhost modelhost_memory "$ROOT/models" --config "$dir/config.yaml"
  local url="http://127.0.0.1:$MH_PORT"
  wait_http modelhost_memory "$MH_PID" 60 200 -X POST -H 'Content-Type: application/json' --data-binary "@$dir/detect.json" "$url/v1/vision/face-front:detect"
  log "memory: burst of JSON bodies, 16 connections, ${MEMORY_BURST_SECONDS} s, then ${MEMORY_IDLE_SECONDS} s idle"
  run_child timeout --kill-after=5 600 "$PY" "$BENCH/memory_burst.py" --pid "$MH_PID" --name memory_json --out "$RESULTS/memory_json.json" \
    --idle "$MEMORY_IDLE_SECONDS" --desc "16 connections × KServe V2 infer on iris, 4 MB JSON bodies" -- \
    "$OUT/load/load" run --name memory_json_load --out "$RESULTS/memory_json_load.json" --url "$url/v2/models/iris/infer" \
    --body-file "$dir/infer.json" --connections 16 --threads 2 --warmup 0 --duration "$MEMORY_BURST_SECONDS" --max-requests 2000 \
    --timeout-ms 60000 --pid "$MH_PID" 2>>"$LOGS/memory.log" || log "the JSON burst failed (see $LOGS/memory.log)"
  log "memory: burst of compressed 4000x4000 PNGs, 16 connections, ${MEMORY_BURST_SECONDS} s, then ${MEMORY_IDLE_SECONDS} s idle"
  run_child timeout --kill-after=5 600 "$PY" "$BENCH/memory_burst.py" --pid "$MH_PID" --name memory_png --out "$RESULTS/memory_png.json" \
    --idle "$MEMORY_IDLE_SECONDS" --desc "16 connections × POST /v1/vision/face-front:detect, a 4000×4000 one-colour PNG (53 KB; 48 MB decoded)" -- \
    "$OUT/load/load" run --name memory_png_load --out "$RESULTS/memory_png_load.json" --url "$url/v1/vision/face-front:detect" \
    --body-file "$dir/detect.json" --connections 16 --threads 2 --warmup 0 --duration "$MEMORY_BURST_SECONDS" --max-requests 2000 \
    --timeout-ms 60000 --expect-status 200 --pid "$MH_PID" 2>>"$LOGS/memory.log" || log "the PNG burst failed (see $LOGS/memory.log)"
  grep -E '^(memory|load):' "$LOGS/memory.log" | tail -n 6 | sed 's/^/  /' >&3 || true
  stop_pid "$MH_PID"
}

write_meta() {
  local configs="" cfg
  for cfg in "${MLP_CONFIGS[@]}"; do
    configs+="${configs:+,}{\"label\": \"$cfg\", \"protocol\": \"$(mlp_protocol "$cfg")\", \"desc\": $("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$(mlp_desc "$cfg")")}"
  done
  cat >"$RESULTS/meta.json" <<EOF
{"command": $("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$COMMAND"), "quick": $([ $QUICK = 1 ] && echo true || echo false),
 "warmup_s": $WARMUP, "duration_s": $DURATION, "mlp_warmup_s": $MLP_WARMUP, "mlp_duration_s": $MLP_DURATION,
 "open_rate": ${OPEN_RATE:-0}, "loadavg": "$LOADAVG", "mlp_configs": [$configs],
 "only": "$ONLY", "learner_repetitions": $LEARNER_REPS, "forecast_repetitions": $FORECAST_REPS, "decode_iterations": $DECODE_ITERATIONS}
EOF
}

# ---------------------------------------------------------------- main
mkdir -p "$OUT" "$LOGS" "$BENCH/results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: >"$LOGS/load.log"
: >"$LOGS/learners.log"
: >"$LOGS/forecast.log"
: >"$LOGS/decode.log"
: >"$LOGS/memory.log"
: >"$LOGS/grpc.log"
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
OPEN_RATE=0
cd "$ROOT"

install_missing
build
if wants inprocess || wants batching || wants binary; then prepare; fi
# --only batching also measures the in-process limit, so that its target ratios come from figures of one run.
if wants inprocess || [ "$ONLY" = batching ]; then scenario_inprocess; fi
if wants trees; then scenario_trees; fi
if wants seed; then scenario_seed; fi
if wants auth; then scenario_auth; fi
if wants metrics; then scenario_metrics; fi
if wants batching; then scenario_batching; fi
if wants binary; then scenario_binary; fi
if wants process; then scenario_process_costs; fi
if wants learners; then scenario_learners; fi
if wants forecast; then scenario_forecast; fi
if wants decode; then scenario_decode; fi
if wants memory; then scenario_memory; fi
if wants grpc; then scenario_grpc; fi
write_meta

log "report"
"$PY" "$BENCH/report.py" --results "$RESULTS" --out "$BENCH/results/latest.md" --alloc "$OUT/alloc.txt"
if [ $UPDATE = 1 ]; then
  cp "$BENCH/results/latest.md" "$BENCH/RESULTS.md"
  log "copied the report to bench/RESULTS.md"
fi
log "done: bench/results/latest.md"
