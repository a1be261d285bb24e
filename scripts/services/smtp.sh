#!/usr/bin/env bash
# SMTP sink on 127.0.0.1:2525 (scripts/services/smtp-sink.mjs, npm package
# smtp-server): accepts any mail without auth or TLS and writes each message
# to $SMTP_SINK_DIR/<timestamp>-<random>.eml.
#   install  only checks that node and the smtp-server package are there
#   start    start the sink, wait until port 2525 greets with 220 (<= 30 s)
#   stop     TERM, then KILL after 10 s; fine when not running
#   status   exit 0 running+answering, 1 running not answering, 3 stopped
# Env: DOJO_SERVICES_DIR (state root), SMTP_SINK_DIR (default
#      <state root>/smtp/mail), NODE (node binary), NODE_PATH (extra module dirs).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
svc_init smtp

PORT=2525
START_TIMEOUT=30
SINK_DIR="${SMTP_SINK_DIR:-$SVC_HOME/mail}"
SINK_JS="$SVC_SCRIPTS_DIR/smtp-sink.mjs"
NODE_BIN="${NODE:-node}"

# True if the server greets with "220 ..."; says QUIT politely.
smtp_greets() {
  local line
  line="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$SVC_HOST/$PORT" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf 'QUIT\r\n' >&3
    printf '%s' "$line"
  )" || return 1
  [[ "$line" == 220* ]]
}

# Resolve smtp-server the way smtp-sink.mjs will (node_modules above
# scripts/services, i.e. the repo's, then NODE_PATH).
check_deps() {
  command -v "$NODE_BIN" >/dev/null 2>&1 || {
    svc_log "node not found (set NODE=/path/to/node)"
    return 1
  }
  (cd "$SVC_SCRIPTS_DIR" && "$NODE_BIN" -e 'require.resolve("smtp-server")' >/dev/null 2>&1) || {
    svc_log "npm package smtp-server not found: run 'npm install' in $SVC_REPO_ROOT (it is a devDependency) or set NODE_PATH to a node_modules dir that has it"
    return 1
  }
}

do_install() {
  if check_deps; then
    svc_log "node $("$NODE_BIN" --version) and smtp-server are available"
  fi
  return 0
}

do_start() {
  local pid
  if pid="$(svc_pid)"; then
    svc_log "already running (pid $pid)"
    svc_wait_ready "$START_TIMEOUT" smtp_greets "SMTP on $SVC_HOST:$PORT"
    return 0
  fi
  check_deps || svc_die "cannot start the SMTP sink"
  svc_check_port_free "$PORT"
  svc_rotate_logs
  mkdir -p "$SINK_DIR"
  local t0=$SECONDS
  svc_log "starting SMTP sink (mail goes to $SINK_DIR) ..."
  SMTP_SINK_DIR="$SINK_DIR" SMTP_SINK_HOST="$SVC_HOST" SMTP_SINK_PORT="$PORT" \
    svc_launch "$NODE_BIN" "$SINK_JS" "--$SVC_MARKER"
  svc_wait_ready "$START_TIMEOUT" smtp_greets "SMTP on $SVC_HOST:$PORT"
  svc_log "started in $((SECONDS - t0))s; logs: $SVC_LOGDIR/stdout.log"
}

do_stop() {
  svc_stop 10
}

do_status() {
  svc_status smtp_greets "SMTP on $SVC_HOST:$PORT"
}

svc_main "install start stop status" "$@"
