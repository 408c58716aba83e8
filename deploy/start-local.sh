#!/usr/bin/env bash
# The deployment of docs/deploy.md on one machine, on 127.0.0.1 only: PostgreSQL as the store,
# two app replicas with one cookie secret, and Debian's nginx in front of them (HTTPS with a
# self-signed certificate, sticky sessions, WebSockets, security headers, metrics hidden).
# Runs in the foreground until Ctrl-C or SIGTERM, then stops what it started: the replicas,
# nginx, and the PostgreSQL cluster of its own (never a cluster it did not create).
#
#   deploy/start-local.sh            # then open https://127.0.0.1:9443 (sudo: to install packages)
#
# Without an admin account in the store, the script asks for the first admin's name and
# password (at a terminal), or prints the command that makes one.
#
# Settings (environment):
#   BRIEFING_DATABASE_URL    the store; default: database "briefing" in a PostgreSQL cluster of
#                            this script's own, in the run folder (postgres/), on 127.0.0.1 at
#                            BRIEFING_PG_PORT (9432), made by initdb at the first start with a
#                            random password (run folder's database_url, mode 600). The machine's
#                            own clusters (port 5432) are never touched.
#   BRIEFING_PG_PORT         that cluster's port (9432)
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
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "${BRIEFING_DATABASE_URL:-}" ] && [ ! -x "$PG_BIN/initdb" ]; then
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
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

# --- Stop what we started, whatever ends the script -------------------------------------------
pids=()
own_cluster=""
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$RUN"/replica-*.pid "$RUN/nginx/nginx.pid.script"
  if [ -n "$own_cluster" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$own_cluster" -m fast -w stop >/dev/null 2>&1 || true
  fi
  say "stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

# PostgreSQL refuses to run as root: as root, the cluster of our own runs as the postgres user.
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- The store: one PostgreSQL database for every replica ------------------------------------
# Without BRIEFING_DATABASE_URL: a cluster of our own in the run folder, on its own port.
if [ -z "${BRIEFING_DATABASE_URL:-}" ]; then
  PG_PORT="${BRIEFING_PG_PORT:-9432}"
  PGDATA_DIR="$RUN/postgres"
  if [ "$(id -u)" = "0" ] && ! runuser -u postgres -- test -x "$RUN"; then
    echo "PostgreSQL does not run as root, and the user postgres cannot reach the run folder" \
      "$RUN: set BRIEFING_DEPLOY_DIR to a folder it can reach (e.g. under /srv)" >&2
    exit 1
  fi
  if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
    say "making a PostgreSQL cluster of this deployment's own in $PGDATA_DIR (port $PG_PORT)"
    mkdir -p "$PGDATA_DIR"
    (umask 077 && openssl rand -hex 24 >"$RUN/postgres.password")
    if [ "$(id -u)" = "0" ]; then
      chown postgres "$PGDATA_DIR" "$RUN/postgres.password"
    fi
    as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U briefing --pwfile="$RUN/postgres.password" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$RUN/initdb.log" 2>&1 \
      || { cat "$RUN/initdb.log" >&2; exit 1; }
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    echo "the cluster in $PGDATA_DIR is already running (another start-local.sh?)" >&2
    exit 1
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGDATA_DIR" start >/dev/null \
    || { tail -n 20 "$PGDATA_DIR/server.log" >&2; exit 1; }
  own_cluster="$PGDATA_DIR"
  PG_PASSWORD="$(cat "$RUN/postgres.password")"
  if ! PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U briefing \
    -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'briefing'" | grep -q 1; then
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U briefing briefing
  fi
  export BRIEFING_DATABASE_URL="postgresql+psycopg://briefing:$PG_PASSWORD@127.0.0.1:$PG_PORT/briefing"
  (umask 077 && echo "$BRIEFING_DATABASE_URL" >"$RUN/database_url")
  say "PostgreSQL of this deployment on 127.0.0.1:$PG_PORT (its URL: $RUN/database_url)"
fi
say "bringing the store's schema up to date"
"$PYTHON" -m core migrate >"$RUN/migrate.log" 2>&1 || { cat "$RUN/migrate.log" >&2; exit 1; }

# --- The first admin: without one, nobody can sign in ---------------------------------------------
has_admin() {
  "$PYTHON" - <<'PY'
import os
import sys

from core.access.users import Users
from core.policy.roles import Role
from core.store.versions import Store

store = Store(os.environ["BRIEFING_DATABASE_URL"])
try:
    found = [u for u in Users(store).all() if u.role is Role.ADMIN and not u.disabled]
finally:
    store.close()
sys.exit(0 if found else 1)
PY
}
if ! has_admin; then
  if [ -t 0 ]; then
    name=""
    while [ -z "$name" ]; do
      read -r -p "[deploy] the store has no admin account yet. The first admin's account name: " name
    done
    "$PYTHON" -m core user add "$name" --role 管理员  # asks for the password twice
  else
    say "the store has no admin account yet: make the first one (it asks for a password):"
    if [ -n "$own_cluster" ]; then
      say "  BRIEFING_DATABASE_URL=\"\$(cat $RUN/database_url)\" $PYTHON -m core user add <name> --role 管理员"
    else
      say "  BRIEFING_DATABASE_URL=<the store> $PYTHON -m core user add <name> --role 管理员"
    fi
  fi
fi

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
    --server.scriptHealthCheckEnabled true \
    >"$RUN/replica-$port.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$RUN/replica-$port.pid"
  replicas+="    server $HOST:$port;"$'\n'
done
i=0
for port in $REPLICA_PORTS; do
  wait_healthy "http://$HOST:$port" "${pids[$i]}" "$RUN/replica-$port.log" "replica $port"
  # One run of the app's script before any browser: it puts the app's HTTP gate (the sign-in
  # cookie's route, the refusal of uploads before a sign-in) in front of the replica.
  curl -fs --max-time 120 "http://$HOST:$port/_stcore/script-health-check" >/dev/null \
    || { echo "replica $port: the app's script does not run:" >&2; tail -n 30 "$RUN/replica-$port.log" >&2; exit 1; }
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
