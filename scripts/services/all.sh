#!/usr/bin/env bash
# All real services Dojo's app and tests use, without Docker:
#   Cassandra 127.0.0.1:9042, Kafka 127.0.0.1:9092, s3proxy http://127.0.0.1:9000,
#   SMTP sink 127.0.0.1:2525, and Redis 127.0.0.1:6379 (Debian's redis-server).
#   PostgreSQL 127.0.0.1:5432 is the machine's own (Debian's cluster, started by .ci/run if need be):
#   `env` names it, nothing else here touches it.
#   install  fetch the jars (one service after the other) and make sure redis-server exists
#   start    Redis if it does not answer, Cassandra first and the others meanwhile;
#            returns when every one answers (or fails with the logs of those that did not)
#   stop     stop what these scripts started (Redis is left alone)
#   status   one line per service; exit 0 only if all answer
#   env      print the `export` lines for the app and tests: eval "$(scripts/services/all.sh env)"
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SVC_NAME=all
D="$SVC_SCRIPTS_DIR"
REDIS_PORT=6379
SMTP_SINK_DIR_DEFAULT="$SVC_ROOT/smtp/mail"

redis_ping() {
  local line
  line="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$SVC_HOST/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3 || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf '%s' "$line"
  )" || return 1
  [[ "$line" == "+PONG"* ]]
}

redis_install() {
  if command -v redis-server >/dev/null 2>&1; then
    svc_log "redis-server present ($(redis-server --version | awk '{print $3}'))"
    return 0
  fi
  if redis_ping; then
    svc_log "no redis-server binary, but something answers on $SVC_HOST:$REDIS_PORT; using it"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || svc_die "redis-server missing: apt-get install redis-server (needs root)"
  svc_log "installing Debian's redis-server ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq redis-server >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq redis-server >/dev/null; } ||
    svc_die "apt-get install redis-server failed"
  # The package may start its own systemd/init service; that is fine (same port).
}

redis_start() {
  if redis_ping; then
    svc_log "redis already answers on $SVC_HOST:$REDIS_PORT"
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || svc_die "redis-server missing: run '$0 install'"
  local dir="$SVC_ROOT/redis" deadline=$((SECONDS + 30))
  mkdir -p "$dir"
  redis-server --daemonize yes --bind "$SVC_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" >/dev/null
  until redis_ping; do
    if ((SECONDS >= deadline)); then
      tail -n 30 "$dir/redis.log" >&2 || true
      svc_die "redis-server did not answer PING within 30s"
    fi
    sleep 0.2
  done
  svc_log "redis started on $SVC_HOST:$REDIS_PORT (log $dir/redis.log)"
}

do_install() {
  local t0=$SECONDS s
  for s in cassandra kafka s3proxy smtp; do
    bash "$D/$s.sh" install
  done
  redis_install
  svc_log "install done in $((SECONDS - t0))s"
}

# run_parallel ACTION SERVICE... — run "<service>.sh ACTION" concurrently;
# fails (after all finished) if any failed.
run_parallel() {
  local action="$1" s failed=()
  shift
  local -A pids=()
  for s in "$@"; do
    bash "$D/$s.sh" "$action" &
    pids[$s]=$!
  done
  for s in "$@"; do
    wait "${pids[$s]}" || failed+=("$s")
  done
  if ((${#failed[@]})); then
    svc_log "$action failed for: ${failed[*]}"
    return 1
  fi
}

do_start() {
  local t0=$SECONDS rc=0
  redis_start
  # Cassandra is the slowest; it starts first and the others start meanwhile.
  run_parallel start cassandra kafka s3proxy smtp || rc=1
  if ((rc)); then
    svc_die "not all services started (see above); '$0 stop' stops the ones that did"
  fi
  svc_log "all services ready in $((SECONDS - t0))s"
}

do_stop() {
  run_parallel stop smtp s3proxy kafka cassandra
  svc_log "stopped (Redis, if running, is left alone)"
}

do_status() {
  local rc=0 s
  for s in cassandra kafka s3proxy smtp; do
    bash "$D/$s.sh" status || rc=1
  done
  if redis_ping; then
    echo "redis: PONG on $SVC_HOST:$REDIS_PORT"
  else
    echo "redis: not answering on $SVC_HOST:$REDIS_PORT"
    rc=1
  fi
  return "$rc"
}

do_env() {
  local -a vars=(
    "CASSANDRA_CONTACT_POINTS=$SVC_HOST:9042"
    "CASSANDRA_LOCAL_DC=datacenter1"
    "CASSANDRA_KEYSPACE=dojo"
    "KAFKA_BROKERS=$SVC_HOST:9092"
    "S3_ENDPOINT=http://$SVC_HOST:9000"
    "S3_BUCKET=dojo"
    "S3_REGION=us-east-1"
    "AWS_ACCESS_KEY_ID=dojo"
    "AWS_SECRET_ACCESS_KEY=dojo-secret-key"
    "REDIS_URL=redis://$SVC_HOST:$REDIS_PORT"
    "SMTP_URL=smtp://$SVC_HOST:2525"
    "SMTP_SINK_DIR=${SMTP_SINK_DIR:-$SMTP_SINK_DIR_DEFAULT}"
    "POSTGRES_URL=postgres://postgres@$SVC_HOST:5432/postgres"
  )
  local v
  for v in "${vars[@]}"; do
    printf 'export %s=%q\n' "${v%%=*}" "${v#*=}"
  done
}

svc_main "install start stop status env" "$@"
