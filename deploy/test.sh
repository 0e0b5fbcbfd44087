#!/usr/bin/env bash
# Builds the container image from deploy/Containerfile on stand-in bases (deploy/lib/standin.sh), then starts it every
# way deploy/ describes and checks each one:
#   image    the image alone, read-only root filesystem: seed request over HTTP and gRPC (published port 8081),
#            the dashboard at /, HEALTHCHECK, size and time to ready; the DEMO_MODELS=false image: no models, serves
#            a mounted repository
#   kserve   the runtime contract of deploy/kserve: a model at /mnt/models, its name from --model-name, over HTTP
#            and gRPC
#   compose  deploy/compose.yaml and compose.metrics.yaml: PostgreSQL, two replicas and Prometheus; Prometheus
#            scrapes both, a training job runs once, both serve the new version, and a replica killed mid-job leaves
#            the job to the other
#   kube     deploy/kubernetes through `podman kube play`: PostgreSQL, ConfigMap, Secret, Deployment; seed request
#   aot      the Native AOT image (AOT=true): the image checks above; not run by default (a long compile)
# Usage: deploy/test.sh [validate|image|kserve|compose|kube|aot ...]  (all but aot by default). Runs as root (podman, apt-get).
# Every container, pod, volume and image it makes is removed at the end, pass or fail; the Debian root filesystem
# for the stand-in bases stays cached in /var/cache/modelhost-deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source deploy/lib/standin.sh

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(validate image kserve compose kube)

run_id="mhdt$$"
IMAGE="localhost/modelhost:$run_id"
NODEMO_IMAGE=""
SEED='{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}'
results=()
images_before=""
images_recorded=""
volumes_before=""
KUBE_FILES=()

cleanup() {
  local status=$?
  set +e
  log "cleaning up"
  if [ -n "${COMPOSE_STARTED:-}" ]; then compose down -v >/dev/null 2>&1; fi
  for file in "${KUBE_FILES[@]}"; do podman kube down "$file" >/dev/null 2>&1; done
  for pod in $(podman pod ls -q --filter "name=$run_id" 2>/dev/null); do podman pod rm -f "$pod" >/dev/null 2>&1; done
  for ctr in $(podman ps -aq --filter "name=$run_id" 2>/dev/null); do podman rm -f -v "$ctr" >/dev/null 2>&1; done
  for vol in $(podman volume ls -q 2>/dev/null); do
    grep -qx "$vol" <<<"$volumes_before" || podman volume rm -f "$vol" >/dev/null 2>&1
  done
  for net in $(podman network ls -q --filter "name=$run_id" 2>/dev/null); do podman network rm -f "$net" >/dev/null 2>&1; done
  # Only once the images before the run are known (an empty list is a fresh machine: remove every image then).
  if [ -n "$images_recorded" ]; then
    for img in $(podman images -aq --no-trunc 2>/dev/null | sort -u); do
      grep -qx "$img" <<<"$images_before" || podman rmi -f "$img" >/dev/null 2>&1
    done
  fi
  rm -rf "${work:-}"
  exit $status
}
trap cleanup EXIT
work=$(mktemp -d)

# Waits until URL answers 2xx, at most $2 seconds; prints nothing, fails with the container's log.
wait_ready() {
  local url=$1 limit=${2:-60} container=${3:-}
  local deadline=$((SECONDS + limit))
  until curl -sf -o /dev/null "$url"; do
    if [ $SECONDS -ge $deadline ]; then
      [ -z "$container" ] || podman logs "$container" 2>&1 | tail -40 >&2
      die "$url not ready within ${limit}s"
    fi
    sleep 0.01
  done
}

# POSTs the seed request to BASE/predict and checks the answer.
seed() {
  local base=$1 answer
  answer=$(curl -sS -X POST "$base/predict" -H 'content-type: application/json' -d "$SEED")
  [ "$answer" = '{"result":[2]}' ] || die "seed request to $base answered '$answer', expected {\"result\":[2]}"
}

# "sed -n 1p" rather than "head -n1": it reads to the end, so the command before it never dies of SIGPIPE (pipefail).
published_port() { podman port "$1" "${2:-8080}" | sed -n 1p | sed 's/.*://'; }

# Debian's python3 with grpcio and grpc_tools (.ci/run installs them; so does this, as root, when they are missing).
PYTHON=/usr/bin/python3
need_grpc_python() {
  "$PYTHON" -c 'import grpc, grpc_tools.protoc' >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "missing python3-grpcio python3-grpc-tools; install them (root is needed for apt-get)"
  log "installing python3-grpcio python3-grpc-tools"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 python3-grpcio python3-grpc-tools >/dev/null
}

# The gRPC checks of deploy/lib/grpc_check.py (health, ServerLive, ModelReady, the seed request as ModelInfer) through
# CONTAINER's port 8081 published at PORT (found by podman port when not given), for MODEL.
grpc_check() {
  local container=$1 model=$2 port=${3:-} out
  [ -n "$port" ] || port=$(published_port "$container" 8081)
  out=$("$PYTHON" deploy/lib/grpc_check.py src/Modelhost.Server/Grpc/Protos "127.0.0.1:$port" "$model" 2>&1) \
    || { printf '%s\n' "$out" >&2; podman logs "$container" 2>&1 | tail -20 >&2; die "the gRPC checks through $container's port 8081 failed"; }
}

# GET / answers a browser (Accept: text/html) the dashboard's HTML, and the script it loads is served too.
dashboard() {
  local base=$1 page script
  page=$(curl -sS -f -H 'Accept: text/html' "$base/") || die "GET $base/ failed: the image serves no dashboard"
  grep -q '<div id="root"></div>' <<<"$page" || die "GET $base/ is not the dashboard's page: $page"
  script=$(grep -o 'src="/assets/[^"]*\.js"' <<<"$page" | sed -n 1p | sed 's/^src="//; s/"$//')
  [ -n "$script" ] || die "the dashboard's page loads no script from /assets: $page"
  curl -sS -f -o /dev/null "$base$script" || die "GET $base$script (the dashboard's script) failed"
}

build_image() {
  setup_podman
  images_before=$(podman images -aq --no-trunc | sort -u)
  images_recorded=1
  volumes_before=$(podman volume ls -q)
  standin_bases
  log "building $IMAGE from deploy/Containerfile"
  build_variant "$IMAGE"
  # The same build without the demo models: every layer but the last two comes from the cache.
  NODEMO_IMAGE="$IMAGE-nodemo"
  build_variant "$NODEMO_IMAGE" --build-arg DEMO_MODELS=false
}

# podman build of deploy/Containerfile as TAG on the stand-in bases; more build arguments may follow (later ones win).
build_variant() {
  local tag=$1; shift
  local nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages} npm_cache registry
  npm_cache=$(npm config get cache 2>/dev/null || echo "$HOME/.npm")
  registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
  mkdir -p "$nuget" "$npm_cache"
  # Host networking and the host's package caches: the restore and npm ci reach NuGet and npm as the host does, and
  # reuse its downloads.
  podman build --format docker --network host -v "$nuget:/root/.nuget/packages" -v "$npm_cache:/root/.npm" \
    --build-arg SDK_IMAGE="$STANDIN_SDK" --build-arg RUNTIME_IMAGE="$STANDIN_RUNTIME" \
    --build-arg NODE_IMAGE="$STANDIN_NODE" --build-arg NPM_REGISTRY="$registry" "$@" \
    -f deploy/Containerfile -t "$tag" . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; die "podman build of $tag failed"; }
}

# Checks IMAGE (LABEL names it in the log): size, three read-only starts timed to ready, and on the first one the seed
# request over HTTP and gRPC, the dashboard, HEALTHCHECK and the user. Sets MEASURED to its summary.
measure_image() {
  local image=$1 label=$2 size base_size
  log "$label: size, read-only start, seed request over HTTP and gRPC, dashboard, HEALTHCHECK"
  size=$(podman image inspect --format '{{.Size}}' "$image")
  base_size=$(podman image inspect --format '{{.Size}}' "$STANDIN_RUNTIME")
  [ "$size" -le 200000000 ] || die "the $label image is $size bytes, over the 200 MB target"

  # Time to ready: from `podman run` returning (the process is started) to the first 2xx from /v2/health/ready.
  local best="" i
  for i in 1 2 3; do
    local name="$run_id-$label-$i" started ready
    podman run -d --name "$name" --read-only -p 127.0.0.1::8080 -p 127.0.0.1::8081 \
      -e MODELHOST_AUTH__ALLOW_ANONYMOUS=true "$image" >/dev/null 2>"$work/run.err" || { cat "$work/run.err" >&2; die "podman run failed"; }
    started=$(date -d "$(podman inspect --format '{{.State.StartedAt}}' "$name" | sed 's/ +0000 UTC//')" +%s.%N)
    wait_ready "http://127.0.0.1:$(published_port "$name")/v2/health/ready" 60 "$name"
    ready=$(date +%s.%N)
    local took
    took=$(awk -v a="$started" -v b="$ready" 'BEGIN { printf "%.2f", b - a }')
    log "  start $i: ready ${took}s after the process started"
    if [ -z "$best" ] || awk -v a="$took" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$took; fi
    if [ "$i" = 1 ]; then
      local base="http://127.0.0.1:$(published_port "$name")"
      seed "$base"
      dashboard "$base"
      grpc_check "$name" iris
      podman healthcheck run "$name" >/dev/null 2>&1 || die "the image's HEALTHCHECK (modelhost probe) failed on a ready server"
      # The root filesystem is read-only, /models and /data are volumes owned by the non-root user.
      [ "$(podman inspect --format '{{.Config.User}}' "$name")" = "1654:1654" ] || die "the container does not run as 1654"
      podman exec "$name" /app/modelhost probe --url http://127.0.0.1:8080/nonexistent >/dev/null 2>&1 && die "probe says ready for a 404"
    fi
    podman rm -f -v "$name" >/dev/null 2>&1
  done
  MEASURED="$(awk -v s="$size" -v b="$base_size" 'BEGIN { printf "%.1f MB (base %.1f MB, Modelhost %.1f MB)", s/1e6, b/1e6, (s-b)/1e6 }'), ready in ${best}s (best of 3, from process start); the seed request over HTTP and gRPC (port 8081), the dashboard at /"
}

scenario_image() {
  measure_image "$IMAGE" image
  local nodemo=""
  [ -z "$NODEMO_IMAGE" ] || nodemo="; $(scenario_image_nodemo)"
  results+=("image: $MEASURED$nodemo")
}

# The Native AOT image (AOT=true), on a stand-in for the SDK's -aot image: the SDK stand-in plus clang and zlib.
# Not in the default set: the AOT compile takes about ten minutes on two cores.
scenario_aot() {
  [ -z "${MODELHOST_DEPLOY_IMAGE:-}" ] || die "the aot scenario builds its own image: unset MODELHOST_DEPLOY_IMAGE"
  local sdk="localhost/modelhost-standin/sdk-aot:$run_id" dir="$work/sdk-aot"
  mkdir -p "$dir"
  printf 'FROM %s\nRUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*\n' \
    "$STANDIN_SDK" >"$dir/Containerfile"
  podman build --network host -f "$dir/Containerfile" -t "$sdk" "$dir" >"$work/sdk-aot.log" 2>&1 \
    || { tail -20 "$work/sdk-aot.log" >&2; die "building the sdk-aot stand-in failed"; }
  log "aot: building $IMAGE-aot (AOT=true)"
  build_variant "$IMAGE-aot" --build-arg SDK_IMAGE="$sdk" --build-arg AOT=true
  measure_image "$IMAGE-aot" aot
  # Training and its publication under Native AOT (no reflection-based JSON on the job path): iris trained again.
  local name="$run_id-aot-train" base job id
  podman run -d --name "$name" --read-only -p 127.0.0.1::8080 -e MODELHOST_AUTH__ALLOW_ANONYMOUS=true \
    "$IMAGE-aot" >/dev/null 2>"$work/run.err" || { cat "$work/run.err" >&2; die "podman run (aot) failed"; }
  base="http://127.0.0.1:$(published_port "$name")"
  wait_ready "$base/v2/health/ready" 60 "$name"
  podman cp datasets/iris.csv "$name:/data/iris.csv"
  job=$(curl -sS "$base/v1/jobs" -H 'content-type: application/json' -d '{"kind": "train", "model": "iris"}')
  id=$(json_field "$job" id)
  [ -n "$id" ] || die "training submission (aot) answered '$job'"
  wait_job "$base" "$id" succeeded 120 >/dev/null
  wait_version "$base" iris 2 10
  podman rm -f -v "$name" >/dev/null 2>&1
  results+=("aot: $MEASURED; a training job published iris version 2")
}

# The DEMO_MODELS=false image: /models is empty, and a repository mounted there is served. Prints its size.
scenario_image_nodemo() {
  local name="$run_id-nodemo" base answer
  mkdir -p "$work/nodemo"
  cp -r models/iris "$work/nodemo/"
  chmod -R a+rX "$work/nodemo"
  podman run -d --name "$name" --read-only -p 127.0.0.1::8080 -e MODELHOST_AUTH__ALLOW_ANONYMOUS=true \
    -e MODELHOST_JOBS__ENABLED=false "$NODEMO_IMAGE" >/dev/null 2>"$work/run.err" || { cat "$work/run.err" >&2; die "podman run (DEMO_MODELS=false) failed"; }
  base="http://127.0.0.1:$(published_port "$name")"
  wait_ready "$base/v2/health/ready" 60 "$name"
  answer=$(curl -sS -X POST "$base/v2/repository/index" -H 'content-type: application/json' -d '{}')
  [ "$answer" = "[]" ] || die "the DEMO_MODELS=false image has models: $answer"
  podman rm -f -v "$name" >/dev/null 2>&1
  podman run -d --name "$name" --read-only -p 127.0.0.1::8080 -e MODELHOST_AUTH__ALLOW_ANONYMOUS=true \
    -v "$work/nodemo:/models:ro" -e MODELHOST_JOBS__ENABLED=false "$NODEMO_IMAGE" >/dev/null 2>"$work/run.err" \
    || { cat "$work/run.err" >&2; die "podman run (DEMO_MODELS=false, mounted models) failed"; }
  base="http://127.0.0.1:$(published_port "$name")"
  wait_ready "$base/v2/health/ready" 60 "$name"
  seed "$base"
  podman rm -f -v "$name" >/dev/null 2>&1
  podman image inspect --format '{{.Size}}' "$NODEMO_IMAGE" | awk '{ printf "DEMO_MODELS=false: %.1f MB, empty /models, serves a mounted repository", $1/1e6 }'
}

# The kserve-container's args and env from deploy/kserve/servingruntime.yaml, one per line ("NAME=value" for env),
# with {{.Name}} replaced: the test runs what the manifest says, not a copy of it.
runtime_manifest() {
  local what=$1 name=$2
  awk '
    /^      [a-zA-Z]+:/ { section = $1; sub(":", "", section); next }
    section == "args" && /^        - / { sub(/^        - /, ""); print; next }
    section == "env" && /^        - name: / { sub(/^        - name: /, ""); var = $0; next }
    section == "env" && /^          value: / { sub(/^          value: /, ""); gsub(/"/, ""); print var "=" $0; next }
  ' deploy/kserve/servingruntime.yaml | sed "s/{{.Name}}/$name/g" | \
    if [ "$what" = env ]; then grep '^[A-Z_]*='; else grep -v '^[A-Z_]*='; fi
}

# Runs the image as the runtime manifest says, with MODEL_DIR mounted read-only at /mnt/models, and checks a V2 infer.
kserve_run() {
  local label=$1 model_dir=$2 name=$3 version=$4
  local ctr="$run_id-kserve-$label" args=() envs=() line
  while IFS= read -r line; do args+=("$line"); done < <(runtime_manifest args "$name")
  while IFS= read -r line; do envs+=(-e "$line"); done < <(runtime_manifest env "$name")
  [ ${#args[@]} -ge 3 ] || die "no args found in deploy/kserve/servingruntime.yaml"
  # Kubernetes mounts no tmpfs on /tmp: --read-only-tmpfs=false is what readOnlyRootFilesystem gives.
  podman run -d --name "$ctr" --read-only --read-only-tmpfs=false --user 1654:1654 -p 127.0.0.1::8080 -p 127.0.0.1::8081 \
    -v "$model_dir:/mnt/models:ro" "${envs[@]}" "$IMAGE" "${args[@]}" >/dev/null 2>"$work/run.err" \
    || { cat "$work/run.err" >&2; die "podman run ($label) failed"; }
  local base
  base="http://127.0.0.1:$(published_port "$ctr")"
  wait_ready "$base/v2/health/ready" 60 "$ctr"
  local answer
  answer=$(curl -sS "$base/v2/models/$name/infer" -H 'content-type: application/json' \
    -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}],"outputs":[{"name":"label"}]}')
  grep -q "\"model_name\":\"$name\",\"model_version\":\"$version\"" <<<"$answer" && grep -q '"data":\[2\]' <<<"$answer" \
    || { podman logs "$ctr" 2>&1 | tail -20 >&2; die "KServe contract ($label): V2 infer on /v2/models/$name answered '$answer'"; }
  # KServe's grpc-v2 protocol: the same model through the gRPC port the manifest's args open.
  grpc_check "$ctr" "$name"
  podman rm -f -v "$ctr" >/dev/null 2>&1
}

scenario_kserve() {
  log "kserve: the image run as deploy/kserve/servingruntime.yaml says, a model at /mnt/models"
  mkdir -p "$work/kserve/file" "$work/kserve/versions/4" "$work/kserve/repository/iris/1"
  cp models/iris/1/model.onnx "$work/kserve/file/model.onnx"
  cp models/iris/1/model.onnx "$work/kserve/versions/4/model.onnx"
  cp models/iris/model.yaml "$work/kserve/versions/model.yaml"
  cp -r models/iris/. "$work/kserve/repository/iris/"
  chmod -R a+rX "$work/kserve"
  kserve_run file "$work/kserve/file" flowers 1
  kserve_run versions "$work/kserve/versions" flowers 4
  kserve_run repository "$work/kserve/repository" iris 1
  results+=("kserve: a single model.onnx, version directories and a repository at /mnt/models, served under --model-name ({{.Name}}) over HTTP (8080) and gRPC (8081)")
}

# The PostgreSQL stand-in (deploy/lib/postgres-standin.Containerfile) for the official postgres image.
postgres_standin() {
  [ -z "${POSTGRES_STANDIN:-}" ] || return 0
  POSTGRES_STANDIN="localhost/modelhost-standin/postgres:$run_id"
  local debian="localhost/modelhost-standin/debian:$run_id"
  podman import -q "$(debian_rootfs)" "$debian" >/dev/null
  podman build --network host --build-arg BASE="$debian" -f deploy/lib/postgres-standin.Containerfile \
    -t "$POSTGRES_STANDIN" deploy/lib >"$work/postgres-build.log" 2>&1 \
    || { tail -20 "$work/postgres-build.log" >&2; die "building the postgres stand-in failed"; }
}

# The Prometheus stand-in for prom/prometheus: this machine's prometheus binary (Debian's package, static but for libc)
# on the runtime-deps stand-in, with the official image's user, entrypoint, arguments and storage folder.
prometheus_standin() {
  [ -z "${PROMETHEUS_STANDIN:-}" ] || return 0
  local prometheus dir="$work/prometheus-standin"
  if ! command -v prometheus >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "prometheus is needed for the compose scenario (apt-get install prometheus)"
    log "installing prometheus"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 prometheus >/dev/null
  fi
  prometheus=$(command -v prometheus)
  podman image exists "$STANDIN_RUNTIME" || die "the runtime-deps stand-in is missing (build the image first)"
  PROMETHEUS_STANDIN="localhost/modelhost-standin/prometheus:$run_id"
  mkdir -p "$dir/storage"
  cp "$prometheus" "$dir/prometheus"
  cat >"$dir/Containerfile" <<EOF
FROM $STANDIN_RUNTIME
COPY prometheus /bin/prometheus
COPY --chown=65534:65534 storage/ /prometheus/
USER 65534:65534
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
  podman build -f "$dir/Containerfile" -t "$PROMETHEUS_STANDIN" "$dir" >"$work/prometheus-build.log" 2>&1 \
    || { tail -20 "$work/prometheus-build.log" >&2; die "building the prometheus stand-in failed"; }
}

# Waits until Prometheus at BASE reports COUNT targets up, at most LIMIT seconds.
wait_scraped() {
  local base=$1 count=$2 limit=$3 targets="" up deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    targets=$(curl -sS "$base/api/v1/targets?state=active" || true)
    # grep finds nothing before the first scrape: not a failure (pipefail would make it one).
    up=$({ grep -o '"health":"up"' <<<"$targets" || true; } | wc -l)
    [ "$up" -lt "$count" ] || return 0
    sleep 0.5
  done
  die "Prometheus did not scrape $count replicas within ${limit}s: $targets"
}

# A field of the first JSON object in $1: job_field JSON state -> running.
json_field() { { grep -o "\"$2\":[^,}]*" <<<"$1" || true; } | sed -n 1p | sed 's/^"[^"]*"://; s/^"//; s/"$//'; }

# Waits until job $2 (asked at base $1) is in state $3, at most $4 seconds; prints the job.
wait_job() {
  local base=$1 id=$2 state=$3 limit=$4 job="" deadline=$((SECONDS + $4))
  while [ $SECONDS -lt $deadline ]; do
    job=$(curl -sS "$base/v1/jobs/$id")
    [ "$(json_field "$job" state)" != "$state" ] || { printf '%s\n' "$job"; return 0; }
    case $(json_field "$job" state) in failed|dead|cancelled) die "job $id ended $(json_field "$job" state): $job" ;; esac
    sleep 0.2
  done
  die "job $id not $state within ${limit}s: $job"
}

# Waits until BASE serves MODEL at VERSION, at most LIMIT seconds.
wait_version() {
  local base=$1 model=$2 version=$3 limit=$4 deadline=$((SECONDS + $4))
  until curl -sf -o /dev/null "$base/v2/models/$model/versions/$version/ready"; do
    [ $SECONDS -lt $deadline ] || die "$base does not serve $model version $version within ${limit}s"
    sleep 0.1
  done
}

compose() { podman-compose -p "$run_id" -f deploy/compose.yaml -f deploy/compose.metrics.yaml "$@"; }

scenario_compose() {
  log "compose: PostgreSQL, two replicas on one job database and one model volume, and Prometheus scraping both"
  postgres_standin
  prometheus_standin
  export MODELHOST_IMAGE="$IMAGE" POSTGRES_IMAGE="$POSTGRES_STANDIN" MODELHOST_1_PUBLISH=127.0.0.1: MODELHOST_2_PUBLISH=127.0.0.1: \
    PROMETHEUS_IMAGE="$PROMETHEUS_STANDIN" PROMETHEUS_PUBLISH=127.0.0.1:
  COMPOSE_STARTED=1
  compose up -d postgres >"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; die "podman-compose up postgres failed"; }
  local deadline=$((SECONDS + 60))
  until podman exec "${run_id}_postgres_1" pg_isready -q -U modelhost -d modelhost 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { podman logs "${run_id}_postgres_1" >&2; die "PostgreSQL not ready within 60s"; }
    sleep 0.3
  done
  compose up -d >>"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; die "podman-compose up failed"; }
  local one two
  one=$(published_port "${run_id}_modelhost-1_1") && two=$(published_port "${run_id}_modelhost-2_1") \
    || { cat "$work/compose.log" >&2; podman ps -a >&2; die "the replicas' published ports are not there"; }
  one="http://127.0.0.1:$one" two="http://127.0.0.1:$two"
  wait_ready "$one/v2/health/ready" 60 "${run_id}_modelhost-1_1"
  wait_ready "$two/v2/health/ready" 60 "${run_id}_modelhost-2_1"
  seed "$one"
  seed "$two"
  # compose.metrics.yaml: Prometheus scrapes both replicas' /metrics (deploy/prometheus.yml, every 5 s).
  local prometheus
  prometheus=$(published_port "${run_id}_prometheus_1" 9090) \
    || { podman logs "${run_id}_prometheus_1" 2>&1 | tail -20 >&2; die "Prometheus's published port is not there"; }
  wait_scraped "http://127.0.0.1:$prometheus" 2 60
  log "  Prometheus scrapes both replicas (both targets up)"

  # A trainable model in the shared volume: the iris forest's version 1 and a training section; its data in /data.
  local flowers="$work/flowers"
  mkdir -p "$flowers/1"
  cp models/iris/1/model.onnx "$flowers/1/"
  printf 'features: [sepal_length, sepal_width, petal_length, petal_width]\ntraining: {trainer: forest, data: iris.csv, target: species, trees: 200, seed: 1, test_size: 0.3}\n' >"$flowers/model.yaml"
  podman cp "$flowers" "${run_id}_modelhost-1_1:/models/flowers"
  podman cp datasets/iris.csv "${run_id}_modelhost-1_1:/data/iris.csv"
  wait_version "$one" flowers 1 10
  wait_version "$two" flowers 1 10

  # 1. Training submitted to replica 1 runs once; both replicas serve the new version within two poll intervals.
  local job id published
  job=$(curl -sS "$one/v1/jobs" -H 'content-type: application/json' -d '{"kind": "train", "model": "flowers"}')
  id=$(json_field "$job" id)
  [ -n "$id" ] || die "training submission answered '$job'"
  job=$(wait_job "$two" "$id" succeeded 120)
  [ "$(json_field "$job" attempts)" = 1 ] || die "the training job ran more than once: $job"
  published=$SECONDS
  wait_version "$one" flowers 2 6
  wait_version "$two" flowers 2 6
  log "  training job $id ran once; version 2 served by both $((SECONDS - published))s after it succeeded"
  curl -sf -o /dev/null "$one/v2/models/flowers/versions/3/ready" && die "a second version appeared: the job ran twice"

  # 2. A replica killed mid-job: the other takes the job over when its lease expires and finishes it.
  # A slower job, so it is still running when its replica dies: iris ten times over, 3000 trees.
  { head -n1 datasets/iris.csv; for _ in 1 2 3 4 5 6 7 8 9 10; do tail -n +2 datasets/iris.csv; done; } >"$work/iris10.csv"
  podman cp "$work/iris10.csv" "${run_id}_modelhost-1_1:/data/iris10.csv"
  printf 'features: [sepal_length, sepal_width, petal_length, petal_width]\ntraining: {trainer: forest, data: iris10.csv, target: species, trees: 3000, seed: 2, test_size: 0.3}\n' >"$flowers/model.yaml"
  podman cp "$flowers/model.yaml" "${run_id}_modelhost-1_1:/models/flowers/model.yaml"
  sleep 3  # the config change is picked up at the next repository poll (2 s)
  job=$(curl -sS "$two/v1/jobs" -H 'content-type: application/json' -d '{"kind": "train", "model": "flowers"}')
  id=$(json_field "$job" id)
  [ -n "$id" ] || die "training submission answered '$job'"
  job=$(wait_job "$two" "$id" running 60)
  local owner victim survivor
  owner=$(json_field "$job" lease_owner | cut -d: -f1)
  case $owner in
    modelhost-1) victim="${run_id}_modelhost-1_1" survivor=$two ;;
    modelhost-2) victim="${run_id}_modelhost-2_1" survivor=$one ;;
    *) die "job $id runs on an unknown owner '$owner'" ;;
  esac
  podman kill -s KILL "$victim" >/dev/null
  log "  killed $owner while it ran training job $id"
  local killed=$SECONDS
  job=$(wait_job "$survivor" "$id" succeeded 300)
  log "  the other replica finished job $id $((SECONDS - killed))s after the kill (lease 6 s)"
  [ "$(json_field "$job" attempts)" = 2 ] || die "expected the job to finish on its second attempt: $job"
  wait_version "$survivor" flowers 3 6
  curl -sf -o /dev/null "$survivor/v2/models/flowers/versions/4/ready" && die "job $id published twice"
  compose down -v >>"$work/compose.log" 2>&1 || true
  results+=("compose: Prometheus scraped both replicas; a job ran once and both replicas served its version; a replica killed mid-job left the job to the other")
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# deploy/kubernetes as `podman kube play` can take it: our images, the models volume made here, no init container
# (its image is yours), one replica with the port published on a loopback port (kube play makes every replica, and
# they cannot share the host port), and PostgreSQL at a fixed address on the test's network
# (kube play has no Service DNS, and skips Services). kube play runs in the work folder: in the repository root it
# would take the ./modelhost launcher for a build folder of the image `modelhost` (podman 4.3 ignores --build=false).
# The container kube play made for DEPLOYMENT's CONTAINER (named DEPLOYMENT-pod[-N]-CONTAINER by podman's version).
kube_container() {
  podman ps -a --format '{{.Names}}' | grep -E "^$1-pod(-[0-9]+)?-$2\$" | sed -n 1p
}

scenario_kube() {
  log "kube: podman kube play of deploy/kubernetes (Secret, ConfigMap, PostgreSQL, Deployment)"
  postgres_standin
  local net="$run_id-kube" pg_ip=10.89.231.10 port grpc_port
  podman network create --subnet 10.89.231.0/24 "$net" >/dev/null
  port=$(free_port)
  grpc_port=$(free_port)
  # The PVC: a volume holding the iris model, owned by the image's user.
  podman volume create "$run_id-models" >/dev/null
  local volume
  volume=$(podman volume inspect --format '{{.Mountpoint}}' "$run_id-models")
  cp -r models/iris "$volume/"
  chown -R 1654:1654 "$volume"

  # PostgreSQL first, at a fixed address; then the ConfigMap and the Deployment.
  # podman 4.3's kube play crashes on secret volumes (a nil pointer in VolumeFromSecret, fixed in later podman), so
  # the play gets the Secret's keys as a ConfigMap of the same name, mounted the same way (items, paths).
  sed -e "s|@modelhost-postgres:5432|@$pg_ip:5432|" -e 's/^kind: Secret$/kind: ConfigMap/' -e 's/^stringData:$/data:/' \
    -e '/^type: Opaque$/d' deploy/kubernetes/secret.yaml >"$work/secret-as-configmap.yaml"
  secret_as_configmap() { sed -e 's/^          secret:$/          configMap:/' -e 's/^            secretName: /            name: /'; }
  { cat "$work/secret-as-configmap.yaml"; echo ---
    sed -e "s|image: docker.io/library/postgres:16|image: $POSTGRES_STANDIN|" deploy/kubernetes/postgres.yaml | secret_as_configmap
  } >"$work/kube-db.yaml"
  KUBE_FILES+=("$work/kube-db.yaml")
  (cd "$work" && podman kube play --replace --network "$net" --ip "$pg_ip" "$work/kube-db.yaml") >"$work/kube.log" 2>&1 \
    || { cat "$work/kube.log" >&2; die "podman kube play of PostgreSQL failed"; }

  {
    cat "$work/secret-as-configmap.yaml"; echo ---
    cat deploy/kubernetes/configmap.yaml
    echo ---
    awk '/^      initContainers:/ { skip = 1; next } /^      containers:/ { skip = 0 } !skip' deploy/kubernetes/deployment.yaml \
      | sed -e "s|^          image: modelhost$|          image: $IMAGE|" -e 's/^  replicas: 2$/  replicas: 1/' \
            -e "s|claimName: modelhost-models|claimName: $run_id-models|" \
            -e "s|^            - containerPort: 8080$|            - containerPort: 8080\n              hostPort: $port\n              hostIP: 127.0.0.1|" \
            -e "s|^            - containerPort: 8081$|            - containerPort: 8081\n              hostPort: $grpc_port\n              hostIP: 127.0.0.1|" \
      | secret_as_configmap
  } >"$work/kube-app.yaml"
  KUBE_FILES+=("$work/kube-app.yaml")
  local deadline=$((SECONDS + 60))
  local pg app
  pg=$(kube_container modelhost-postgres postgres)
  until podman exec "$pg" pg_isready -q -h 127.0.0.1 -U modelhost -d modelhost 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "PostgreSQL (kube play) not ready within 60s"
    sleep 0.3
  done
  (cd "$work" && podman kube play --replace --network "$net" "$work/kube-app.yaml") >>"$work/kube.log" 2>&1 \
    || { cat "$work/kube.log" >&2; die "podman kube play of the Deployment failed"; }
  app=$(kube_container modelhost modelhost)
  local base="http://127.0.0.1:$port"
  wait_ready "$base/v2/health/ready" 90 "$app"
  seed "$base"
  grpc_check "$app" iris "$grpc_port"
  # The log is read once into a variable: 'podman logs | grep -q' under pipefail fails when grep stops reading
  # at its first match and podman dies of SIGPIPE, which turned a found line into a failure.
  local app_log
  app_log=$(podman logs "$app" 2>&1)
  grep -q "Job store .* opened on Postgres" <<<"$app_log" \
    || { tail -20 <<<"$app_log" >&2; die "the Deployment's replica did not open the job store on PostgreSQL"; }
  # The chiseled image has no Kerberos library: the URL turns GSS encryption off, so Npgsql never looks for it.
  if grep -q libgssapi <<<"$app_log"; then die "the replica looked for libgssapi: the database URL should disable GSS encryption"; fi
  local user
  user=$(podman inspect --format '{{.Config.User}}' "$app")
  [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$app")" = true ] || die "the Deployment's root filesystem is not read-only"
  results+=("kube: kube play of the Secret, ConfigMap, PostgreSQL and Deployment (user $user, read-only root) answered the seed request on the published ports, HTTP and gRPC")
}

scenario_validate() {
  log "validate: every manifest in deploy/kubernetes and deploy/kserve against the Kubernetes schemas, offline"
  command -v npm >/dev/null 2>&1 || die "npm is needed for the schema validation (apt-get install nodejs npm)"
  (cd deploy/validate && npm ci --ignore-scripts --no-audit --no-fund --silent) || die "npm ci in deploy/validate failed"
  local out
  out=$(node deploy/validate/validate.mjs deploy/kubernetes/*.yaml deploy/kserve/*.yaml) || die "schema validation failed"
  results+=("validate: $out")
}

main() {
  for scenario in "${scenarios[@]}"; do
    case $scenario in
      image|kserve|compose|kube|validate|aot) ;;
      *) die "unknown scenario '$scenario' (image, kserve, compose, kube, validate, aot)" ;;
    esac
  done

  if [ "${scenarios[*]}" = validate ]; then
    :
  elif [ -n "${MODELHOST_DEPLOY_IMAGE:-}" ]; then
    # An image built earlier (a rerun while working on a scenario); it is not removed.
    setup_podman
    images_before=$(podman images -aq --no-trunc | sort -u)
    images_recorded=1
    volumes_before=$(podman volume ls -q)
    IMAGE=$MODELHOST_DEPLOY_IMAGE
    podman image exists "$STANDIN_RUNTIME" || STANDIN_RUNTIME=$IMAGE
  else
    build_image
  fi
  case " ${scenarios[*]} " in *" image "*|*" kserve "*|*" kube "*) need_grpc_python ;; esac
  for scenario in "${scenarios[@]}"; do
    "scenario_$scenario"
  done

  log "passed:"
  for line in "${results[@]}"; do log "  $line"; done
}

# Everything above is functions: bash has read the whole file before main runs, so editing it meanwhile is safe.
main "$@"; exit $?
