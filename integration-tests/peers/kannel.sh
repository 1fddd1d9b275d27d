#!/usr/bin/env bash
# Kannel (Debian package kannel 1.4.5) as a real HTTP SMS gateway in front of smsc.js.
#
#   kannel.sh start DIR SMSC_PORT HTTP_PORT ADMIN_PORT
#   kannel.sh stop  DIR
#
# start: once per DIR, `apt-get download kannel` into DIR/pkg and `dpkg -x` it (no service is
#        installed or started); installs the runtime libraries with apt only if `dpkg -s` says
#        they are missing; renders kannel.conf.template into DIR/kannel.conf; starts bearerbox,
#        waits until its SMPP link to 127.0.0.1:SMSC_PORT is online, starts smsbox and waits until
#        the sendsms port 127.0.0.1:HTTP_PORT answers. Pids go to DIR/bearerbox.pid and
#        DIR/smsbox.pid, logs to DIR/log/.
# stop:  kills smsbox, then bearerbox, by those pids (TERM, then KILL after 10 s).
#
# Environment (optional): KANNEL_SYSTEM_ID / KANNEL_PASSWORD (SMPP bind, default inkseal / secret),
# KANNEL_USER / KANNEL_USER_PASSWORD (sendsms user, default inkseal / secret),
# KANNEL_ADMIN_PASSWORD (default inkseal-admin), KANNEL_SMSBOX_PORT (bearerbox<->smsbox port,
# default a free one), KANNEL_PKG_DIR (where the package is kept, default DIR/pkg).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start DIR SMSC_PORT HTTP_PORT ADMIN_PORT | stop DIR" >&2; exit 2; }

log() { printf 'kannel.sh: %s\n' "$*" >&2; }

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET a loopback URL, print the body (python3 rather than curl, which a fresh machine may lack)
http_get() {
  python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode("utf-8", "replace"))
except Exception:
    sys.exit(1)' "$1"
}

# alive PID: the process exists and is not a zombie (an exited peer whose new parent has not
# reaped it yet still answers kill -0)
alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
  local st
  st="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [[ -n "$st" && "$st" != Z && "$st" != X ]]   # no status file: it was reaped meanwhile
}

# ours FILE NAME: the pid in FILE is alive and is still NAME (a stale pid file must not make us
# kill whatever process got that number since)
ours() {
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# stop_pidfile FILE NAME: TERM the pid in FILE if it is ours, KILL it after 10 s
stop_pidfile() {
  local f="$1" name="$2" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if ours "$f" "$name"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "pid $pid did not stop in 10 s, killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
}

# Runtime libraries of the kannel package (its Depends without adduser/lsb-base/psmisc, which
# only the init script uses). Most are on the machine already; libct4, libhiredis0.14 and
# libpcre3 usually are not.
RUNTIME_LIBS=(libct4 libhiredis0.14 libpcre3 libmariadb3 libpam0g libpq5 libsqlite3-0 libssl3 libxml2)

ensure_package() {
  local pkgdir="$1" root="$1/root"
  if [[ ! -x "$root/usr/sbin/bearerbox" || ! -x "$root/usr/sbin/smsbox" ]]; then
    mkdir -p "$pkgdir"
    if ! ls "$pkgdir"/kannel_*.deb >/dev/null 2>&1; then
      if ! apt-cache show kannel >/dev/null 2>&1; then
        log "apt-get update (no package list knows kannel yet)"
        apt-get update -qq
      fi
      log "apt-get download kannel"
      (cd "$pkgdir" && apt-get download -qq -o APT::Sandbox::User=root kannel)
    fi
    rm -rf "$root"
    dpkg -x "$(ls "$pkgdir"/kannel_*.deb | head -1)" "$root"
  fi
  local missing=()
  for p in "${RUNTIME_LIBS[@]}"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing runtime libraries: ${missing[*]}"
    if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
      apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ldd "$root/usr/sbin/bearerbox" "$root/usr/sbin/smsbox" | grep -q 'not found'; then
    ldd "$root/usr/sbin/bearerbox" "$root/usr/sbin/smsbox" | grep 'not found' >&2
    log "kannel binaries miss libraries (see above)"
    exit 1
  fi
}

case "$cmd" in
  start)
    smsc_port="${3:-}"; http_port="${4:-}"; admin_port="${5:-}"
    [[ -n "$smsc_port" && -n "$http_port" && -n "$admin_port" ]] || { echo "usage: $0 start DIR SMSC_PORT HTTP_PORT ADMIN_PORT" >&2; exit 2; }
    mkdir -p "$dir/log"
    dir="$(cd "$dir" && pwd)"
    pkgdir="${KANNEL_PKG_DIR:-$dir/pkg}"
    mkdir -p "$pkgdir"
    pkgdir="$(cd "$pkgdir" && pwd)"
    # already running from this DIR? then leave it alone
    if ours "$dir/bearerbox.pid" sbin/bearerbox && ours "$dir/smsbox.pid" sbin/smsbox; then
      log "already running (pids $(cat "$dir/bearerbox.pid") $(cat "$dir/smsbox.pid"))"
      exit 0
    fi
    stop_pidfile "$dir/smsbox.pid" sbin/smsbox
    stop_pidfile "$dir/bearerbox.pid" sbin/bearerbox
    ensure_package "$pkgdir"
    bin="$pkgdir/root/usr/sbin"

    smsbox_port="${KANNEL_SMSBOX_PORT:-$(python3 "$here/lib/free_ports.py" 1)}"
    admin_password="${KANNEL_ADMIN_PASSWORD:-inkseal-admin}"
    sed -e "s|@DIR@|$dir|g" \
        -e "s|@LOG_DIR@|$dir/log|g" \
        -e "s|@SMSC_PORT@|$smsc_port|g" \
        -e "s|@HTTP_PORT@|$http_port|g" \
        -e "s|@ADMIN_PORT@|$admin_port|g" \
        -e "s|@SMSBOX_PORT@|$smsbox_port|g" \
        -e "s|@ADMIN_PASSWORD@|$admin_password|g" \
        -e "s|@SYSTEM_ID@|${KANNEL_SYSTEM_ID:-inkseal}|g" \
        -e "s|@PASSWORD@|${KANNEL_PASSWORD:-secret}|g" \
        -e "s|@SENDSMS_USER@|${KANNEL_USER:-inkseal}|g" \
        -e "s|@SENDSMS_PASSWORD@|${KANNEL_USER_PASSWORD:-secret}|g" \
        "$here/kannel.conf.template" > "$dir/kannel.conf"

    nohup "$bin/bearerbox" -v 2 "$dir/kannel.conf" </dev/null >"$dir/log/bearerbox.out" 2>&1 &
    echo $! > "$dir/bearerbox.pid"
    status_url="http://127.0.0.1:$admin_port/status.txt?password=$admin_password"
    online=
    for _ in $(seq 150); do
      alive "$(cat "$dir/bearerbox.pid")" || { tail -20 "$dir/log/bearerbox.out" >&2; log "bearerbox exited"; exit 1; }
      if port_answers "$admin_port" && http_get "$status_url" | grep -q '(online'; then
        online=1; break
      fi
      sleep 0.1
    done
    [[ -n "$online" ]] || { http_get "$status_url" >&2 || true; log "bearerbox's SMPP link to 127.0.0.1:$smsc_port did not come online in 15 s"; exit 1; }

    nohup "$bin/smsbox" -v 2 "$dir/kannel.conf" </dev/null >"$dir/log/smsbox.out" 2>&1 &
    echo $! > "$dir/smsbox.pid"
    ready=
    for _ in $(seq 150); do
      alive "$(cat "$dir/smsbox.pid")" || { tail -20 "$dir/log/smsbox.out" >&2; log "smsbox exited"; exit 1; }
      if port_answers "$http_port"; then ready=1; break; fi
      sleep 0.1
    done
    [[ -n "$ready" ]] || { log "smsbox's sendsms port 127.0.0.1:$http_port did not answer in 15 s"; exit 1; }
    # smsbox answers HTTP as soon as it listens; it can send once it is connected to bearerbox
    for _ in $(seq 100); do
      http_get "$status_url" | grep -q 'smsbox:' && break
      sleep 0.1
    done
    log "Kannel sendsms on http://127.0.0.1:$http_port/cgi-bin/sendsms (bearerbox pid $(cat "$dir/bearerbox.pid"), smsbox pid $(cat "$dir/smsbox.pid"))"
    ;;
  stop)
    stop_pidfile "$dir/smsbox.pid" sbin/smsbox
    stop_pidfile "$dir/bearerbox.pid" sbin/bearerbox
    ;;
  *)
    echo "usage: $0 start DIR SMSC_PORT HTTP_PORT ADMIN_PORT | stop DIR" >&2
    exit 2
    ;;
esac
