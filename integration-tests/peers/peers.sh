#!/usr/bin/env bash
# Start / stop all loopback protocol peers for inkseal's integration tests.
#
#   peers.sh start STATE_DIR   start every peer on free 127.0.0.1 ports, write STATE_DIR/peers.env
#   peers.sh env   STATE_DIR   print the env file as `export KEY=VALUE` lines (for eval)
#   peers.sh stop  STATE_DIR   stop every peer that start started, one pid at a time
#
# Peers: smsc.js (SMPP SMSC), dsn-mx.js (DSN-aware remote MX), sink.js (plain SMTP sink),
# bounce-inbox.js (where the MX mails its reports) and Kannel (HTTP SMS gateway in front of the
# SMSC, via kannel.sh). `start` is idempotent: when all peers of STATE_DIR still run it only
# prints the env file again; `npm ci` runs only when node_modules lacks the pinned packages.
# INKSEAL_PEERS_SKIP_KANNEL=1 leaves Kannel out (no apt needed then).
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"
state="${2:-}"
usage() { echo "usage: $0 start|stop|env STATE_DIR" >&2; exit 2; }
[[ -n "$cmd" && -n "$state" ]] || usage
log() { printf 'peers.sh: %s\n' "$*" >&2; }

mkdir -p "$state"
state="$(cd "$state" && pwd)"
# the env file holds unquoted paths: keep them free of characters a shell or a dotenv reader splits on
[[ "$state" =~ ^[A-Za-z0-9_./+-]+$ ]] || { log "STATE_DIR must be a path of letters, digits and _ . / + - only: $state"; exit 2; }

envfile="$state/peers.env"
piddir="$state/pids"
outdir="$state/out"
NODE_PEERS=(smsc dsn-mx sink bounce-inbox)
SYSTEM_ID=inkseal
SMPP_PASSWORD=secret
KANNEL_USER=inkseal
KANNEL_USER_PASSWORD=secret
KANNEL_ADMIN_PASSWORD=inkseal-admin

# alive PID: the process exists and is not a zombie (an exited peer whose new parent has not
# reaped it yet still answers kill -0)
alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
  local st
  st="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [[ -n "$st" && "$st" != Z && "$st" != X ]]   # no status file: it was reaped meanwhile
}

# ours NAME: the pid in pids/NAME.pid is alive and still runs NAME.js
ours() {
  local pid
  pid="$(cat "$piddir/$1.pid" 2>/dev/null || true)"
  alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$here/$1.js"
}

stop_one() {
  local name="$1" pid
  [[ -f "$piddir/$name.pid" ]] || return 0
  pid="$(cat "$piddir/$name.pid")"
  if ours "$name"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "$name (pid $pid) did not stop in 5 s, killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$piddir/$name.pid"
}

stop_all() {
  [[ -x "$here/kannel.sh" || -f "$here/kannel.sh" ]] && bash "$here/kannel.sh" stop "$state/kannel" || true
  for name in "${NODE_PEERS[@]}"; do stop_one "$name"; done
  rm -f "$envfile"
}

all_running() {
  [[ -f "$envfile" ]] || return 1
  for name in "${NODE_PEERS[@]}"; do ours "$name" || return 1; done
  if ! grep -q '^INKSEAL_TEST_KANNEL=' "$envfile"; then return 0; fi
  local f
  for f in bearerbox smsbox; do
    local pid
    pid="$(cat "$state/kannel/$f.pid" 2>/dev/null || true)"
    alive "$pid" || return 1
  done
}

ensure_node_modules() {
  command -v node >/dev/null || { log "node is not installed (Node 20 is needed)"; exit 1; }
  if ! (cd "$here" && node -e '
      const want = {"smpp": "0.5.1", "smtp-server": "3.21.6", "nodemailer": "10.6.1"};
      for (const [n, v] of Object.entries(want)) {
        if (require(n + "/package.json").version !== v) process.exit(1);
      }' 2>/dev/null); then
    log "npm ci in $here"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

# start_node NAME PORT ARGS...: node NAME.js ARGS... in the background, pid to pids/NAME.pid
start_node() {
  local name="$1"; shift
  nohup node "$here/$name.js" "$@" </dev/null >"$outdir/$name.out" 2>&1 &
  echo $! > "$piddir/$name.pid"
}

# wait_ready NAME "LINE": until NAME printed LINE (its ready line), 10 s at most
wait_ready() {
  local name="$1" line="$2"
  for _ in $(seq 100); do
    grep -qF -- "$line" "$outdir/$name.out" 2>/dev/null && return 0
    ours "$name" || { cat "$outdir/$name.out" >&2; log "$name exited"; return 1; }
    sleep 0.1
  done
  cat "$outdir/$name.out" >&2
  log "$name did not print \"$line\" in 10 s"
  return 1
}

case "$cmd" in
  start)
    if all_running; then
      log "peers of $state already run; env file $envfile"
      cat "$envfile"
      exit 0
    fi
    stop_all
    t0=$(date +%s%N)
    ensure_node_modules
    # a fresh start begins with empty logs (Kannel's downloaded package in kannel/pkg is kept)
    rm -rf "$state/sms" "$state/mail" "$outdir" "$state/kannel/log"
    mkdir -p "$piddir" "$outdir" "$state/sms" "$state/mail/mx" "$state/mail/sink" "$state/mail/inbox"
    if [[ "${INKSEAL_PEERS_SKIP_KANNEL:-0}" == 1 ]]; then
      read -r smsc_port mx_port sink_port inbox_port < <(python3 "$here/lib/free_ports.py" 4 | xargs)
    else
      read -r smsc_port mx_port sink_port inbox_port kannel_port kannel_admin_port < <(python3 "$here/lib/free_ports.py" 6 | xargs)
    fi
    trap 'log "start failed; stopping what was started"; stop_all' ERR

    # two accounts: the tests bind as $SYSTEM_ID, Kannel as $SYSTEM_ID-kannel (receipts go per account)
    start_node smsc "$smsc_port" "$SYSTEM_ID,$SYSTEM_ID-kannel" "$SMPP_PASSWORD" "$state/sms"
    start_node bounce-inbox "$inbox_port" "$state/mail/inbox"
    start_node dsn-mx "$mx_port" "$inbox_port" "$state/mail/mx"
    start_node sink "$sink_port" "$state/mail/sink"
    wait_ready smsc "SMSC listening on 127.0.0.1:$smsc_port"
    wait_ready bounce-inbox "Bounce inbox listening on 127.0.0.1:$inbox_port"
    wait_ready dsn-mx "DSN MX listening on 127.0.0.1:$mx_port"
    wait_ready sink "SMTP sink listening on 127.0.0.1:$sink_port"

    if [[ "${INKSEAL_PEERS_SKIP_KANNEL:-0}" != 1 ]]; then
      KANNEL_SYSTEM_ID="$SYSTEM_ID-kannel" KANNEL_PASSWORD="$SMPP_PASSWORD" \
      KANNEL_USER="$KANNEL_USER" KANNEL_USER_PASSWORD="$KANNEL_USER_PASSWORD" \
      KANNEL_ADMIN_PASSWORD="$KANNEL_ADMIN_PASSWORD" \
        bash "$here/kannel.sh" start "$state/kannel" "$smsc_port" "$kannel_port" "$kannel_admin_port"
    fi
    trap - ERR

    {
      echo "INKSEAL_TEST_SMSC=127.0.0.1:$smsc_port"
      echo "INKSEAL_TEST_SMSC_SYSTEM_ID=$SYSTEM_ID"
      echo "INKSEAL_TEST_SMSC_PASSWORD=$SMPP_PASSWORD"
      echo "INKSEAL_TEST_SMSC_LOG=$state/sms/sms.jsonl"
      echo "INKSEAL_TEST_SMSC_RECEIPT_LOG=$state/sms/sms-receipts.jsonl"
      echo "INKSEAL_TEST_DSN_MX=127.0.0.1:$mx_port"
      echo "INKSEAL_TEST_DSN_MX_LOG=$state/mail/mx"
      echo "INKSEAL_TEST_BOUNCE_INBOX=127.0.0.1:$inbox_port"
      echo "INKSEAL_TEST_BOUNCE_INBOX_LOG=$state/mail/inbox"
      echo "INKSEAL_TEST_SMTP_SINK=127.0.0.1:$sink_port"
      echo "INKSEAL_TEST_SMTP_SINK_LOG=$state/mail/sink"
      echo "INKSEAL_TEST_MAIL_LOG=$state/mail"
      if [[ "${INKSEAL_PEERS_SKIP_KANNEL:-0}" != 1 ]]; then
        echo "INKSEAL_TEST_KANNEL=http://127.0.0.1:$kannel_port"
        echo "INKSEAL_TEST_KANNEL_USER=$KANNEL_USER"
        echo "INKSEAL_TEST_KANNEL_PASSWORD=$KANNEL_USER_PASSWORD"
        echo "INKSEAL_TEST_KANNEL_ADMIN=http://127.0.0.1:$kannel_admin_port"
        echo "INKSEAL_TEST_KANNEL_ADMIN_PASSWORD=$KANNEL_ADMIN_PASSWORD"
        echo "INKSEAL_TEST_KANNEL_LOG=$state/kannel/log"
      fi
    } > "$envfile.tmp"
    mv "$envfile.tmp" "$envfile"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    log "all peers up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s; env file $envfile"
    cat "$envfile"
    ;;
  env)
    [[ -f "$envfile" ]] || { log "no $envfile: run '$0 start $state' first"; exit 1; }
    sed 's/^/export /' "$envfile"
    ;;
  stop)
    stop_all
    log "stopped the peers of $state"
    ;;
  *)
    usage
    ;;
esac
