#!/usr/bin/env bash
# Prism mock servers of the official KFP REST specs (v1beta1 and v2beta1) for the client's
# tests (tests/tests/kfp_prism.rs). Prism validates each request against the spec (401 without
# an Authorization header, 422 for a body or query that does not fit, 404 for an unknown path)
# and answers with the spec's examples.
#
#   bash .ci/services/prism.sh start   # prints `export KFP_RS_PRISM_V1=...` lines to eval
#   bash .ci/services/prism.sh stop
#
# Prism is installed with npm, pinned, into a cache folder outside the repository and reused
# when present: $KFP_RS_CACHE (default ~/.cache/kfp-rs-ci)/prism-<version>.
set -euo pipefail

VERSION=5.14.2
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SPECS="${KFP_RS_SWAGGER:-$ROOT/../shared/kfp-swagger}"
CACHE="${KFP_RS_CACHE:-$HOME/.cache/kfp-rs-ci}/prism-$VERSION"
STATE="$CACHE/run"
PRISM="$CACHE/node_modules/.bin/prism"

log() { echo "prism.sh: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether something answers HTTP on 127.0.0.1:$1 (any status: without credentials Prism says 401).
answers() {
  python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

launch() { # name spec-file: starts Prism on a free port, prints the port
  local name=$1 spec=$2 port
  port=$(free_port)
  setsid "$PRISM" mock -h 127.0.0.1 -p "$port" "$spec" >"$STATE/$name.log" 2>&1 &
  echo "$!" >"$STATE/$name.pid"
  echo "$port"
}

wait_ready() { # name port
  local name=$1 port=$2 pid
  pid=$(cat "$STATE/$name.pid")
  # Ready within 30 s (it takes 2-5 s), or give up.
  for _ in $(seq 1 60); do
    if answers "$port"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "prism for $name exited:"; cat "$STATE/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  log "prism for $name did not answer on port $port within 30 s:"; cat "$STATE/$name.log" >&2
  return 1
}

stop_all() {
  local f pid
  for f in "$STATE"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    # setsid made it a process group leader: end the group it leads, and only that.
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  start)
    for api in v1beta1 v2beta1; do
      if [ ! -f "$SPECS/$api/kfp_api_single_file.swagger.json" ]; then
        log "the KFP spec $SPECS/$api/kfp_api_single_file.swagger.json is missing"
        exit 1
      fi
    done
    if [ ! -x "$PRISM" ]; then
      log "installing @stoplight/prism-cli@$VERSION into $CACHE"
      mkdir -p "$CACHE"
      npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error \
        "@stoplight/prism-cli@$VERSION" >&2
    fi
    mkdir -p "$STATE"
    stop_all
    # Both start at once; each is waited for.
    v1=$(launch v1 "$SPECS/v1beta1/kfp_api_single_file.swagger.json")
    v2=$(launch v2 "$SPECS/v2beta1/kfp_api_single_file.swagger.json")
    if ! wait_ready v1 "$v1" || ! wait_ready v2 "$v2"; then
      stop_all
      exit 1
    fi
    echo "export KFP_RS_PRISM_V1=http://127.0.0.1:$v1"
    echo "export KFP_RS_PRISM_V2=http://127.0.0.1:$v2"
    ;;
  stop)
    stop_all
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
