# shellcheck shell=bash
#
# Shared helpers for scripts/services/*.sh (source it, do not run it).
#
# Layout, per service NAME, under ${DOJO_SERVICES_DIR:-<repo>/.services}:
#   NAME/lib    jars fetched from Maven Central (+ .installed marker)
#   NAME/conf   generated configuration (rewritten on every start)
#   NAME/data   server state (kept across restarts)
#   NAME/log    logs (the previous start's logs are moved to log/prev/)
#   NAME/pid    pid of the running server
#
# Every server is started in its own session (setsid), detached from the
# calling shell, and marked with "dojo.service=NAME" on its command line so a
# stale pid file can never make us signal an unrelated process.

SVC_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SVC_REPO_ROOT="$(cd "$SVC_SCRIPTS_DIR/../.." && pwd)"
SVC_ROOT="${DOJO_SERVICES_DIR:-$SVC_REPO_ROOT/.services}"
SVC_HOST=127.0.0.1

svc_log() { printf '[%s] %s\n' "${SVC_NAME:-services}" "$*" >&2; }
svc_die() {
  printf '[%s] ERROR: %s\n' "${SVC_NAME:-services}" "$*" >&2
  exit 1
}

# svc_init NAME — set the per-service paths and create the directories.
svc_init() {
  SVC_NAME="$1"
  SVC_HOME="$SVC_ROOT/$SVC_NAME"
  SVC_LIB="$SVC_HOME/lib"
  SVC_CONF="$SVC_HOME/conf"
  SVC_DATA="$SVC_HOME/data"
  SVC_LOGDIR="$SVC_HOME/log"
  SVC_PIDFILE="$SVC_HOME/pid"
  SVC_MARKER="dojo.service=$SVC_NAME"
  # Logs shown (tail) when a start fails; services append their own.
  SVC_LOG_FILES=("$SVC_LOGDIR/stdout.log")
  mkdir -p "$SVC_CONF" "$SVC_DATA" "$SVC_LOGDIR"
}

# svc_pom_property POM NAME — value of <NAME> in the POM's <properties>.
svc_pom_property() {
  sed -n "s:.*<$2>\\(.*\\)</$2>.*:\\1:p" "$1" | head -n 1
}

# ---------------------------------------------------------------- java

# svc_java_major JAVA — prints the feature version (8, 11, 17, ...).
svc_java_major() {
  local v
  v="$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)"
  v="${v#1.}"
  printf '%s\n' "${v%%[.+-]*}"
}

# svc_find_java MAJOR... — sets SVC_JAVA to a java whose feature version is
# one of MAJOR. Order: $DOJO_JAVA (must match), $JAVA_HOME, java on PATH,
# then /usr/lib/jvm/*. Prefers the first that matches.
svc_find_java() {
  local want=" $* " cand major
  if [[ -n "${DOJO_JAVA:-}" ]]; then
    major="$(svc_java_major "$DOJO_JAVA")" || true
    [[ "$want" == *" $major "* ]] ||
      svc_die "DOJO_JAVA=$DOJO_JAVA is Java '$major'; $SVC_NAME needs one of:$want"
    # shellcheck disable=SC2034 # used by the sourcing scripts
    SVC_JAVA="$DOJO_JAVA"
    return 0
  fi
  local -a cands=()
  [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && cands+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && cands+=("$(command -v java)")
  for cand in /usr/lib/jvm/*/bin/java; do
    [[ -x "$cand" ]] && cands+=("$cand")
  done
  for cand in "${cands[@]}"; do
    major="$(svc_java_major "$cand" 2>/dev/null)" || continue
    if [[ "$want" == *" $major "* ]]; then
      # shellcheck disable=SC2034 # used by the sourcing scripts
      SVC_JAVA="$cand"
      return 0
    fi
  done
  svc_die "no Java with feature version in {$* } found (set DOJO_JAVA=/path/to/bin/java)"
}

# ---------------------------------------------------------------- install

# svc_mvn_install POM VERSION — copy the POM's runtime classpath from Maven
# Central into $SVC_LIB. Idempotent: skipped when the marker file says the
# same version and POM checksum are already there.
svc_mvn_install() {
  local pom="$1" version="$2" want marker="$SVC_LIB/.installed"
  want="$version $(sha256sum "$pom" | cut -c1-16)"
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; then
    svc_log "already installed ($version, $(find "$SVC_LIB" -name '*.jar' | wc -l) jars in $SVC_LIB)"
    return 0
  fi
  if svc_pid >/dev/null; then
    svc_die "$SVC_NAME runs from the jars $version would replace: stop it first"
  fi
  command -v mvn >/dev/null 2>&1 || svc_die "mvn not found (apt-get install maven)"
  local tmp="$SVC_HOME/lib.tmp" mvnlog="$SVC_HOME/install.log" t0=$SECONDS
  rm -rf "$tmp"
  svc_log "fetching $version and its classpath from Maven Central ..."
  # DOJO_MVN_ARGS: extra maven arguments, e.g. "-o" or "-Dmaven.repo.local=/cache/m2".
  local -a extra=()
  read -r -a extra <<<"${DOJO_MVN_ARGS:-}"
  if ! mvn -B -q -Dstyle.color=never "${extra[@]}" -f "$pom" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvnlog" 2>&1; then
    tail -n 40 "$mvnlog" >&2
    svc_die "maven could not fetch the dependencies of $pom (full output: $mvnlog)"
  fi
  compgen -G "$tmp/*.jar" >/dev/null || svc_die "maven copied no jar into $tmp (see $mvnlog)"
  rm -rf "$SVC_LIB"
  mv "$tmp" "$SVC_LIB"
  printf '%s\n' "$want" >"$marker"
  svc_log "installed $version: $(find "$SVC_LIB" -name '*.jar' | wc -l) jars in $((SECONDS - t0))s"
}

svc_require_installed() {
  [[ -f "$SVC_LIB/.installed" ]] ||
    svc_die "not installed: run '$0 install' first"
}

# ---------------------------------------------------------------- processes

# svc_alive PID — true if PID exists and is not a zombie.
svc_alive() {
  local state
  [[ -r "/proc/$1/stat" ]] || return 1
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# svc_pid — prints the pid of this service if it runs (pid file + marker
# on the command line); removes a stale pid file. Returns 1 if not running.
svc_pid() {
  local pid
  [[ -f "$SVC_PIDFILE" ]] || return 1
  pid="$(tr -dc '0-9' <"$SVC_PIDFILE")"
  if [[ -n "$pid" ]] && svc_alive "$pid" &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$SVC_MARKER"; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$SVC_PIDFILE"
  return 1
}

# svc_port_open PORT [HOST] — true if a TCP connect succeeds.
svc_port_open() {
  (exec 3<>"/dev/tcp/${2:-$SVC_HOST}/$1") 2>/dev/null
}

# svc_check_port_free PORT... — refuse to start when another process owns a port.
svc_check_port_free() {
  local p
  for p in "$@"; do
    if svc_port_open "$p"; then
      svc_die "port $SVC_HOST:$p is already in use by another process (not started by $0)"
    fi
  done
}

# svc_rotate_logs — move the previous run's logs to log/prev/.
svc_rotate_logs() {
  local f
  rm -rf "$SVC_LOGDIR/prev"
  mkdir -p "$SVC_LOGDIR/prev"
  for f in "$SVC_LOGDIR"/*; do
    [[ -f "$f" ]] && mv "$f" "$SVC_LOGDIR/prev/"
  done
  return 0
}

# svc_launch CMD... — start CMD detached (new session, stdin /dev/null,
# stdout+stderr to log/stdout.log) and record its pid. CMD must contain
# $SVC_MARKER somewhere in its arguments.
svc_launch() {
  rm -f "$SVC_PIDFILE"
  # The inner bash writes its own pid, then execs CMD (same pid), whether or
  # not setsid had to fork.
  # shellcheck disable=SC2016
  setsid bash -c 'printf "%s\n" "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
    "$SVC_PIDFILE" "$@" >>"$SVC_LOGDIR/stdout.log" 2>&1 </dev/null 9>&- &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$SVC_PIDFILE" ]] && return 0
    sleep 0.1
  done
  svc_die "process did not start (no pid file after 10s)"
}

# svc_tail_logs — print the tail of every log in SVC_LOG_FILES.
svc_tail_logs() {
  local f lines="${SVC_TAIL_LINES:-40}"
  for f in "${SVC_LOG_FILES[@]}"; do
    [[ -s "$f" ]] || continue
    printf '\n----- last %s lines of %s (long lines cut) -----\n' "$lines" "$f" >&2
    tail -n "$lines" "$f" | cut -c1-400 >&2
  done
  printf -- '-----\n' >&2
}

# svc_wait_ready TIMEOUT CHECK_FN WHAT — poll CHECK_FN until it succeeds.
# Fails fast (with log tails) if the process dies; on timeout, prints the
# log tails, stops the process and exits non-zero.
svc_wait_ready() {
  local timeout="$1" check="$2" what="$3" pid deadline=$((SECONDS + $1)) t0=$SECONDS
  pid="$(tr -dc '0-9' <"$SVC_PIDFILE")"
  while :; do
    if "$check"; then
      svc_log "ready: $what (pid $pid, ${SVC_READY_EXTRA:-}$((SECONDS - t0))s)"
      return 0
    fi
    if ! svc_alive "$pid"; then
      svc_tail_logs
      rm -f "$SVC_PIDFILE"
      svc_die "$SVC_NAME exited during startup (waited $((SECONDS - t0))s for $what); logs in $SVC_LOGDIR"
    fi
    if ((SECONDS >= deadline)); then
      svc_tail_logs
      svc_stop_pid "$pid" 15 >/dev/null 2>&1 || true
      rm -f "$SVC_PIDFILE"
      svc_die "$SVC_NAME not ready after ${timeout}s (waiting for $what); stopped it; logs in $SVC_LOGDIR"
    fi
    sleep 0.5
  done
}

# svc_stop_pid PID TIMEOUT — TERM, then KILL after TIMEOUT seconds.
svc_stop_pid() {
  local pid="$1" timeout="$2" deadline
  svc_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while svc_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      svc_log "still running after ${timeout}s, sending KILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while svc_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
      svc_alive "$pid" && return 1
      return 0
    fi
    sleep 0.2
  done
  return 0
}

# svc_stop TIMEOUT — stop this service if it runs; fine when it does not.
svc_stop() {
  local pid t0=$SECONDS
  if ! pid="$(svc_pid)"; then
    svc_log "not running"
    return 0
  fi
  svc_log "stopping pid $pid ..."
  svc_stop_pid "$pid" "$1" || svc_die "could not stop pid $pid"
  rm -f "$SVC_PIDFILE"
  svc_log "stopped ($((SECONDS - t0))s)"
}

# svc_status CHECK_FN WHAT — exit 0 if running and answering, 1 if running
# but not answering, 3 if not running (LSB style).
svc_status() {
  local pid
  if ! pid="$(svc_pid)"; then
    echo "$SVC_NAME: stopped"
    return 3
  fi
  if "$1"; then
    echo "$SVC_NAME: running (pid $pid), $2 answers"
    return 0
  fi
  echo "$SVC_NAME: running (pid $pid), $2 NOT answering yet"
  return 1
}

# svc_lock — serialize install/start/stop of one service (several shells,
# e.g. two test runs in the same tree, may call these scripts at once). The
# lock is fd 9, which svc_launch closes for the server process.
svc_lock() {
  [[ -n "${SVC_HOME:-}" ]] || return 0
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$SVC_HOME/.lock"
  flock -w "${SVC_LOCK_TIMEOUT:-600}" 9 ||
    svc_die "another install/start/stop of $SVC_NAME still holds $SVC_HOME/.lock"
}

# svc_main ACTIONS "$@" — dispatch to do_<action>; ACTIONS is e.g. "install start stop status".
svc_main() {
  local actions=" $1 " action="${2:-}"
  if [[ -z "$action" || "$actions" != *" $action "* ]]; then
    echo "usage: $0 {${1// /|}}" >&2
    exit 2
  fi
  case "$action" in
    install | start | stop) svc_lock ;;
  esac
  "do_$action"
}
