#!/usr/bin/env bash
# The deployment of docs/deploy.md on one machine, on 127.0.0.1 only: Debian's PostgreSQL as the
# store, two app replicas with one cookie secret, and Debian's nginx in front of them (HTTPS with
# a self-signed certificate, sticky sessions, WebSockets, security headers, metrics hidden).
# Runs in the foreground until Ctrl-C or SIGTERM, then stops the replicas and nginx it started
# (PostgreSQL is a system service: it is left running).
#
#   sudo deploy/start-local.sh            # then open https://127.0.0.1:9443
#
# Settings (environment):
#   BRIEFING_DATABASE_URL    the store; default: database "briefing" of role "briefing" on the
#                            local cluster, which this script starts and creates (as root)
#   BRIEFING_DEPLOY_DIR      run folder: logs, certificate, secret, nginx config (default
#                            artifacts/deploy in the repository)
#   BRIEFING_HTTPS_PORT      nginx's HTTPS port (9443); BRIEFING_HTTP_PORT its redirect (9080)
#   BRIEFING_REPLICA_PORTS   the replicas' ports, space-separated ("9101 9102")
#   PYTHON                   the Python with the app's packages (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
RUN="$(mkdir -p "${BRIEFING_DEPLOY_DIR:-$REPO/artifacts/deploy}" && cd "${BRIEFING_DEPLOY_DIR:-$REPO/artifacts/deploy}" && pwd)"
HTTPS_PORT="${BRIEFING_HTTPS_PORT:-9443}"
HTTP_PORT="${BRIEFING_HTTP_PORT:-9080}"
REPLICA_PORTS="${BRIEFING_REPLICA_PORTS:-9101 9102}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
HOST=127.0.0.1

say() { echo "[deploy] $*"; }

# --- Debian's packages ----------------------------------------------------------------------
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ -z "${BRIEFING_DATABASE_URL:-}" ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "missing Debian packages: ${missing[*]} (install them, or run this script as root)" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# --- The store: one PostgreSQL database for every replica ------------------------------------
if [ -z "${BRIEFING_DATABASE_URL:-}" ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "set BRIEFING_DATABASE_URL, or run as root to start the local PostgreSQL cluster" >&2
    exit 1
  fi
  bash .ci/postgres  # Debian's cluster on 127.0.0.1 with the role briefing (as CI has it)
  if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'briefing'\"" \
    | grep -q 1; then
    su postgres -c "createdb -O briefing briefing"
  fi
  export BRIEFING_DATABASE_URL="postgresql+psycopg://briefing:briefing@127.0.0.1:5432/briefing"
fi
say "bringing the store's schema up to date"
"$PYTHON" -m core migrate >"$RUN/migrate.log" 2>&1 || { cat "$RUN/migrate.log" >&2; exit 1; }

# --- One cookie secret for every replica; a certificate for HTTPS -----------------------------
umask 077
if [ ! -s "$RUN/cookie_secret" ]; then
  openssl rand -hex 32 >"$RUN/cookie_secret"
fi
STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$RUN/cookie_secret")"
export STREAMLIT_SERVER_COOKIE_SECRET
mkdir -p "$RUN/tls"
if [ ! -s "$RUN/tls/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" 2>/dev/null
fi
umask 022

# --- Stop what we started, whatever ends the script -------------------------------------------
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$RUN"/replica-*.pid "$RUN/nginx/nginx.pid.script"
  say "stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

healthy() { curl -fsk --max-time 2 "$1/_stcore/health" 2>/dev/null | grep -qx ok; }

wait_healthy() {  # url, pid, log, what
  for _ in $(seq 1 240); do
    if healthy "$1"; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "$4 exited:" >&2
      tail -n 30 "$3" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "$4 did not answer at $1" >&2
  exit 1
}

# --- The replicas ------------------------------------------------------------------------------
export BRIEFING_CACHE_DIR="${BRIEFING_CACHE_DIR:-$RUN/cache}"  # snapshots, shared on this machine
replicas=""
for port in $REPLICA_PORTS; do
  "$PYTHON" -m streamlit run app.py \
    --server.address "$HOST" --server.port "$port" --server.headless true \
    --server.fileWatcherType none --browser.gatherUsageStats false \
    >"$RUN/replica-$port.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$RUN/replica-$port.pid"
  replicas+="    server $HOST:$port;"$'\n'
done
i=0
for port in $REPLICA_PORTS; do
  wait_healthy "http://$HOST:$port" "${pids[$i]}" "$RUN/replica-$port.log" "replica $port"
  say "replica on http://$HOST:$port (private)"
  i=$((i + 1))
done

# --- nginx -------------------------------------------------------------------------------------
mkdir -p "$RUN/nginx/logs" "$RUN/nginx/temp"
CSP="$("$PYTHON" deploy/csp.py)"
export REPLICAS="${replicas%$'\n'}" CSP HOST HTTPS_PORT HTTP_PORT RUN
"$PYTHON" - deploy/nginx-site.conf.template "$RUN/nginx/briefing.conf" <<'PY'
import os, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
values = {
    "REPLICAS": os.environ["REPLICAS"], "CSP": os.environ["CSP"],
    "LISTEN_HOST": os.environ["HOST"], "SERVER_NAME": "localhost",
    "HTTPS_PORT": os.environ["HTTPS_PORT"], "HTTP_PORT": os.environ["HTTP_PORT"],
    "LOG_DIR": os.environ["RUN"] + "/nginx/logs",
    "TLS_CERT": os.environ["RUN"] + "/tls/cert.pem", "TLS_KEY": os.environ["RUN"] + "/tls/key.pem",
}
for name, value in values.items():
    text = text.replace(f"@{name}@", value)
assert not re.search("@[A-Z_]+@", text), "a placeholder was left unfilled"
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY
cat >"$RUN/nginx/nginx.conf" <<EOF
# The main configuration around briefing.conf, for an nginx of this folder alone.
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $RUN/nginx/temp/body;
    proxy_temp_path $RUN/nginx/temp/proxy;
    fastcgi_temp_path $RUN/nginx/temp/fastcgi;
    uwsgi_temp_path $RUN/nginx/temp/uwsgi;
    scgi_temp_path $RUN/nginx/temp/scgi;
    include $RUN/nginx/briefing.conf;
}
EOF
"$NGINX" -t -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" >"$RUN/nginx/logs/test.log" 2>&1 \
  || { cat "$RUN/nginx/logs/test.log" >&2; exit 1; }
"$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -g "daemon off;" \
  >>"$RUN/nginx/logs/error.log" 2>&1 &
pids+=("$!")
echo "$!" >"$RUN/nginx/nginx.pid.script"
wait_healthy "https://$HOST:$HTTPS_PORT" "$!" "$RUN/nginx/logs/error.log" "nginx"
say "nginx on https://$HOST:$HTTPS_PORT (http://$HOST:$HTTP_PORT redirects there)"
say "ready: https://$HOST:$HTTPS_PORT  (run folder $RUN; Ctrl-C stops)"

# Until a signal, or until a process we started ends by itself.
wait -n "${pids[@]}" || true
say "a process ended by itself; stopping the others"
