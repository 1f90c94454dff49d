#!/usr/bin/env bash
# Cluster mode on one machine: a local redis-server, a local DynamoDB-compatible
# server (dynalite, in memory) and two notebook server instances sharing them.
# Ctrl-C stops everything this script started (by pid).
#
#   npm run build                      # once: the server's dist/
#   deploy/scripts/cluster-local.sh    # then open the URLs it prints (:8001 and :8002, with ?token=)
set -euo pipefail

readonly SCRIPT_NAME="cluster-local.sh"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT

usage() {
  cat <<USAGE
Usage: $SCRIPT_NAME [--dry-run] [--help]

Starts redis-server on 127.0.0.1:\$REDIS_PORT, dynalite on 127.0.0.1:\$DYNAMODB_PORT
and one server instance per port of \$SERVER_PORTS, all in cluster mode:
  REDIS_URL=redis://127.0.0.1:\$REDIS_PORT  NOTEBOOK_STORAGE=dynamodb
  DYNAMODB_ENDPOINT=http://127.0.0.1:\$DYNAMODB_PORT  DYNAMODB_CREATE_TABLE=true
Runs in the foreground; Ctrl-C (or SIGTERM) stops all of it.

Environment (defaults):
  SERVER_PORTS   "8001 8002"
  REDIS_PORT     6390
  DYNAMODB_PORT  4567
  DYNAMODB_TABLE notebooks-local
  CLUSTER_DIR    a new folder under \${TMPDIR:-/tmp} (logs and pid files)
  SERVER_ENTRY   app/server/dist/main.js (the script each instance runs)
  NOTEBOOK_TOKEN one random access token shared by the instances (auth none; empty: off)
  NOTEBOOK_AUTH  none; other server variables (LOG_LEVEL, KERNEL_IDLE_SECONDS,
                 MAX_KERNELS...) pass through to the instances.
USAGE
}

die() {
  echo "$SCRIPT_NAME: error: $*" >&2
  exit 2
}
log() { echo "$SCRIPT_NAME: $*" >&2; }

DRY_RUN=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
  shift
done

read -r -a PORTS <<<"${SERVER_PORTS:-8001 8002}"
readonly REDIS_PORT="${REDIS_PORT:-6390}"
readonly DYNAMODB_PORT="${DYNAMODB_PORT:-4567}"
readonly TABLE="${DYNAMODB_TABLE:-notebooks-local}"
readonly SERVER_MAIN="${SERVER_ENTRY:-$REPO_ROOT/app/server/dist/main.js}"
readonly DYNALITE="$REPO_ROOT/node_modules/.bin/dynalite"
readonly HEALTHCHECK="$REPO_ROOT/deploy/docker/healthcheck.js"

for port in "${PORTS[@]}" "$REDIS_PORT" "$DYNAMODB_PORT"; do
  [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1 && "$port" -le 65535 ]] || die "not a port number: '$port'"
done
[[ ${#PORTS[@]} -ge 1 ]] || die "SERVER_PORTS is empty"

# Without sign-in each instance would make its own access token: one shared token lets a browser use any instance.
if [[ "${NOTEBOOK_AUTH:-none}" == "none" && -z "${NOTEBOOK_TOKEN+set}" ]]; then
  # bash's SRANDOM is crypto-random: no outside program is needed before the checks below say what is missing.
  NOTEBOOK_TOKEN="$(printf '%08x' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM")"
fi

server_env() {
  local port="$1"
  printf '%s\n' \
    "PORT=$port" \
    "HOST=127.0.0.1" \
    "REDIS_URL=redis://127.0.0.1:$REDIS_PORT" \
    "NOTEBOOK_STORAGE=dynamodb" \
    "DYNAMODB_ENDPOINT=http://127.0.0.1:$DYNAMODB_PORT" \
    "DYNAMODB_TABLE=$TABLE" \
    "DYNAMODB_CREATE_TABLE=true" \
    "AWS_REGION=${AWS_REGION:-us-east-1}" \
    "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local}" \
    "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}" \
    "NOTEBOOK_AUTH=${NOTEBOOK_AUTH:-none}"
  if [[ -n "${NOTEBOOK_TOKEN+set}" ]]; then printf '%s\n' "NOTEBOOK_TOKEN=$NOTEBOOK_TOKEN"; fi
}

if [[ $DRY_RUN -eq 1 ]]; then
  echo "+ redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile \$CLUSTER_DIR/redis.pid"
  echo "+ npx dynalite --port $DYNAMODB_PORT   (in memory)"
  for port in "${PORTS[@]}"; do
    echo "+ env $(server_env "$port" | tr '\n' ' ')node $SERVER_MAIN"
  done
  exit 0
fi

command -v node >/dev/null 2>&1 || die "node is not on PATH (Node 20 or later is needed)"
command -v redis-server >/dev/null 2>&1 ||
  die "redis-server is not on PATH; install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis)"
[[ -x "$DYNALITE" ]] || die "dynalite is not installed at $DYNALITE; run npm install at the repository root"
[[ -f "$SERVER_MAIN" ]] || die "the server is not built ($SERVER_MAIN is missing); run npm run build at the repository root"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "${PORTS[@]}" "$REDIS_PORT" "$DYNAMODB_PORT"; do
  if port_in_use "$port"; then
    die "port $port on 127.0.0.1 is already in use; choose others with SERVER_PORTS, REDIS_PORT or DYNAMODB_PORT"
  fi
done

CLUSTER_DIR="${CLUSTER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rnb-cluster.XXXXXX")}"
readonly CLUSTER_DIR
mkdir -p "$CLUSTER_DIR"

SERVER_PIDS=()
DYNALITE_PID=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid
  trap - EXIT INT TERM
  for pid in "${SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # Give the instances their SIGTERM path (releasing kernel leases), then insist.
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${SERVER_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [[ $alive -eq 0 ]] && break
    sleep 0.2
  done
  for pid in "${SERVER_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n "$DYNALITE_PID" ]]; then
    kill -TERM "$DYNALITE_PID" 2>/dev/null || true
    # Stopped means its port is free when this script returns: wait for it (up to 5 s) as for the instances.
    for _ in $(seq 1 50); do
      kill -0 "$DYNALITE_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [[ -f "$CLUSTER_DIR/redis.pid" ]]; then
    kill -TERM "$(cat "$CLUSTER_DIR/redis.pid")" 2>/dev/null || true
  fi
  log "stopped; logs kept in $CLUSTER_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for_port() {
  local port="$1" what="$2"
  for _ in $(seq 1 100); do
    port_in_use "$port" && return 0
    sleep 0.1
  done
  die "$what did not open port $port within 10 s; see $CLUSTER_DIR"
}

log "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$CLUSTER_DIR/redis.log" --dir "$CLUSTER_DIR"
wait_for_port "$REDIS_PORT" "redis-server"

log "starting dynalite on 127.0.0.1:$DYNAMODB_PORT"
# The local bin is what `npx dynalite` runs; started directly its pid is the
# server's own, so it can be stopped by pid.
"$DYNALITE" --port "$DYNAMODB_PORT" >"$CLUSTER_DIR/dynalite.log" 2>&1 &
DYNALITE_PID=$!
wait_for_port "$DYNAMODB_PORT" "dynalite"

for port in "${PORTS[@]}"; do
  log "starting a server instance on 127.0.0.1:$port"
  mapfile -t envs < <(server_env "$port")
  (cd "$REPO_ROOT" && exec env "${envs[@]}" node "$SERVER_MAIN") >"$CLUSTER_DIR/server-$port.log" 2>&1 &
  SERVER_PIDS+=($!)
done

for i in "${!PORTS[@]}"; do
  port="${PORTS[$i]}"
  pid="${SERVER_PIDS[$i]}"
  healthy=0
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$CLUSTER_DIR/server-$port.log" >&2 || true
      die "the instance on port $port exited during start-up (log above: $CLUSTER_DIR/server-$port.log)"
    fi
    if PORT="$port" node "$HEALTHCHECK"; then
      healthy=1
      break
    fi
    sleep 0.5
  done
  [[ $healthy -eq 1 ]] || die "the instance on port $port did not answer /healthz within 60 s; see $CLUSTER_DIR/server-$port.log"
done

for port in "${PORTS[@]}"; do
  echo "cluster-local: instance ready at http://127.0.0.1:$port/${NOTEBOOK_TOKEN:+?token=$NOTEBOOK_TOKEN}"
done
echo "cluster-local: ready (redis 127.0.0.1:$REDIS_PORT, dynalite 127.0.0.1:$DYNAMODB_PORT, logs in $CLUSTER_DIR); Ctrl-C stops everything"

# Stay in the foreground until an instance dies or we are told to stop.
set +e
wait -n "${SERVER_PIDS[@]}"
status=$?
set -e
die "a server instance exited (status $status); logs in $CLUSTER_DIR"
