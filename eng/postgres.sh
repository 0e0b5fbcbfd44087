#!/usr/bin/env bash
# A throwaway PostgreSQL server for the job-store tests.
#   eval "$(bash eng/postgres.sh start)"   starts one (or reuses the running one) and prints
#                                          export MODELHOST_TEST_POSTGRES='Host=...;Port=...;...'
#   bash eng/postgres.sh stop              stops it and deletes its files
#   bash eng/postgres.sh status            prints the export line if it is running, else fails
#   bash eng/postgres.sh pause | resume     stops the server keeping its files, and starts it again on the same port
#                                          (the reliability tests' "database down" fault; use a MODELHOST_PG_DIR of their own)
# The cluster lives in $MODELHOST_PG_DIR (default: a fixed directory under $TMPDIR or /tmp), listens on a free
# loopback port only, and trades durability for speed (fsync off): never point it at data you want to keep.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (Debian's package
# creates it; otherwise a system user `modelhost-pg` is created). As root, a missing PostgreSQL is installed
# from Debian's packages. Only the export line goes to stdout, so the output can be eval'ed.
set -euo pipefail

dir=${MODELHOST_PG_DIR:-${TMPDIR:-/tmp}/modelhost-pg-$(id -u)}
db_user=modelhost
db_name=modelhost_test

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

install_postgres() {
  if [ -n "$(pg_bin)" ]; then
    return
  fi
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; install the Debian package postgresql (root is needed for apt-get)"
  log "installing PostgreSQL from Debian's packages"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  [ -n "$(pg_bin)" ] || die "apt-get installed postgresql but no initdb is under /usr/lib/postgresql/*/bin"
}

# The user that owns and runs the cluster: the caller, unless that is root.
cluster_user() {
  if [ "$(id -u)" != 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id modelhost-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin modelhost-pg
    echo modelhost-pg
  fi
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

export_line() {
  local port password
  port=$(cat "$dir/port")
  password=$(cat "$dir/password")
  echo "export MODELHOST_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=$db_user;Password=$password;Database=$db_name'"
}

running() {
  [ -f "$dir/port" ] && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

port_free() {
  # Nothing answers a connect on a free port; bash's /dev/tcp needs no extra tool.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_server() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-p $1 -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
}

pause() {
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  owner=$(cluster_user)
  running || die "no cluster runs in $dir"
  as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 stop -m fast >&2
}

resume() {
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  owner=$(cluster_user)
  [ -f "$dir/port" ] && [ -d "$dir/data" ] || die "no cluster in $dir"
  running || start_server "$(cat "$dir/port")"
}

start() {
  install_postgres
  bin=$(pg_bin)
  owner=$(cluster_user)
  if running; then
    log "reusing the running cluster in $dir"
    export_line
    return
  fi

  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ "$(id -u)" = 0 ] && chown "$owner" "$dir"

  od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/password"
  chmod 600 "$dir/password"
  [ "$(id -u)" = 0 ] && chown "$owner" "$dir/password"
  as_owner "$bin/initdb" -D "$dir/data" -U "$db_user" --pwfile="$dir/password" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  local port attempt
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_free "$port" || continue
    if start_server "$port"; then
      echo "$port" >"$dir/port"
      break
    fi
    log "could not start on port $port (attempt $attempt); trying another"
  done
  [ -f "$dir/port" ] || { tail -n 20 "$dir/server.log" >&2 || true; die "PostgreSQL did not start"; }

  as_owner "$bin/createdb" -h "$dir" -p "$port" -U "$db_user" "$db_name"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') runs on 127.0.0.1:$port (files in $dir)"
  export_line
}

stop() {
  bin=$(pg_bin) || true
  owner=$(cluster_user)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 stop -m fast >&2 || log "pg_ctl stop failed; removing the files anyway"
  fi
  rm -rf "$dir"
  log "stopped"
}

status() {
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  owner=$(cluster_user)
  running || die "no cluster runs in $dir"
  export_line
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  pause) pause ;;
  resume) resume ;;
  *)
    echo "usage: bash eng/postgres.sh start|stop|status|pause|resume" >&2
    exit 2
    ;;
esac
