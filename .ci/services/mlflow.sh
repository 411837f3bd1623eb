#!/usr/bin/env bash
# Two real MLflow Tracking Servers for the MLflow tests, pinned, sqlite backend, on 127.0.0.1:
#   - proxied artifacts (`mlflow-artifacts:/`, the server stores them): $KFP_RS_MLFLOW_URI
#   - direct S3 artifacts (`--no-serve-artifacts --default-artifact-root s3://mlflow/`, the
#     seed's MinIO setup; the client uploads to the S3 server of .ci/services/s3.sh, which must
#     be started first): $KFP_RS_MLFLOW_S3_URI
#
#   .ci/services/mlflow.sh install   # once: a venv with mlflow + boto3 in the cache folder
#   .ci/services/mlflow.sh start     # installs if needed, starts both, waits for /health
#   .ci/services/mlflow.sh env       # prints `export ...` lines for the tests (eval them)
#   .ci/services/mlflow.sh stop
#
# The venv is ${XDG_CACHE_HOME:-~/.cache}/kfp-rs-ci/mlflow-venv, reused; state (databases,
# artifacts, logs, pids) in $KFP_RS_SERVICES_DIR (default: $TMPDIR/kfp-rs-services).
set -euo pipefail

VERSION=3.17.2
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kfp-rs-ci"
VENV="$CACHE/mlflow-venv"
STATE="${KFP_RS_SERVICES_DIR:-${TMPDIR:-/tmp}/kfp-rs-services}"
PORT="${KFP_RS_MLFLOW_PORT:-5100}"
S3_PORT_MLFLOW="${KFP_RS_MLFLOW_S3_PORT:-5101}"
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true

install() {
  if [ -x "$VENV/bin/mlflow" ] && [ "$(cat "$VENV/.kfp-rs-version" 2>/dev/null)" = "$VERSION" ]; then
    return 0
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "mlflow==$VERSION" boto3
  echo "$VERSION" >"$VENV/.kfp-rs-version"
}

env_lines() {
  cat <<ENV
export KFP_RS_MLFLOW_URI=http://127.0.0.1:$PORT
export KFP_RS_MLFLOW_S3_URI=http://127.0.0.1:$S3_PORT_MLFLOW
export KFP_RS_MLFLOW_BIN=$VENV/bin/mlflow
ENV
}

# launch NAME PORT ARGS...: one server in its own process group, logging to $STATE/NAME.log.
launch() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$STATE/$name"
  if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    return 0
  fi
  setsid "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$STATE/$name/mlflow.db" "$@" \
    >"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

wait_health() { # name port
  for _ in $(seq 1 1800); do # 180 s: a first start runs the database migrations
    if curl -sf -o /dev/null "http://127.0.0.1:$2/health"; then return 0; fi
    if ! kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "error: MLflow server $1 is not healthy on port $2; log:" >&2
  tail -n 40 "$STATE/$1.log" >&2
  return 1
}

start() {
  install
  if [ ! -f "$STATE/s3.env" ]; then
    echo "error: start the S3 server first (.ci/services/s3.sh start)" >&2
    return 1
  fi
  # shellcheck disable=SC1091
  . "$STATE/s3.env"
  launch mlflow-proxied "$PORT" --serve-artifacts \
    --artifacts-destination "$STATE/mlflow-proxied/artifacts"
  MLFLOW_S3_ENDPOINT_URL="$KFP_RS_S3_ENDPOINT" AWS_ACCESS_KEY_ID="$KFP_RS_S3_ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY="$KFP_RS_S3_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1 \
    launch mlflow-s3 "$S3_PORT_MLFLOW" --no-serve-artifacts \
    --default-artifact-root "s3://$KFP_RS_S3_BUCKET/"
  wait_health mlflow-proxied "$PORT"
  wait_health mlflow-s3 "$S3_PORT_MLFLOW"
  env_lines >"$STATE/mlflow.env"
  echo "mlflow $VERSION: proxied on http://127.0.0.1:$PORT, direct S3 on http://127.0.0.1:$S3_PORT_MLFLOW"
}

stop_one() {
  local f="$STATE/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  # MLflow takes a few seconds to shut down; wait so the port is free for the next start.
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$f"
}

stop() {
  stop_one mlflow-proxied
  stop_one mlflow-s3
  rm -f "$STATE/mlflow.env"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
