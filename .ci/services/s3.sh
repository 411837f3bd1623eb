#!/usr/bin/env bash
# A real S3 server for the MLflow tests: s3s-fs (from the crates registry), which stores
# objects as files and checks SigV4 signatures, so a wrong secret is refused as MinIO would.
#
#   .ci/services/s3.sh install   # once: cargo install into the cache folder (about 2 min)
#   .ci/services/s3.sh start     # installs if needed, starts on 127.0.0.1, writes the env file
#   .ci/services/s3.sh env       # prints `export ...` lines for the tests (eval them)
#   .ci/services/s3.sh stop
#
# The binary lives in ${XDG_CACHE_HOME:-~/.cache}/kfp-rs-ci/s3s-fs and is reused; state
# (data, log, pid, env) in $KFP_RS_SERVICES_DIR (default: $TMPDIR/kfp-rs-services).
set -euo pipefail

VERSION=0.14.1 # 0.17 needs a newer rustc than the workspace's
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kfp-rs-ci"
ROOT="$CACHE/s3s-fs"
BIN="$ROOT/bin/s3s-fs"
STATE="${KFP_RS_SERVICES_DIR:-${TMPDIR:-/tmp}/kfp-rs-services}"
PORT="${KFP_RS_S3_PORT:-9100}"
# Test-only keys of a loopback server: not credentials of anything real.
ACCESS_KEY=kfp-rs-ci
SECRET_KEY=kfp-rs-ci-not-a-secret
BUCKET=mlflow

install() {
  if [ -x "$BIN" ] && [ "$(cat "$ROOT/.kfp-rs-version" 2>/dev/null)" = "$VERSION" ]; then
    return 0
  fi
  mkdir -p "$ROOT"
  cargo install --quiet "s3s-fs@$VERSION" --features binary --locked --root "$ROOT"
  echo "$VERSION" >"$ROOT/.kfp-rs-version"
}

env_lines() {
  cat <<ENV
export KFP_RS_S3_ENDPOINT=http://127.0.0.1:$PORT
export KFP_RS_S3_ACCESS_KEY=$ACCESS_KEY
export KFP_RS_S3_SECRET_KEY=$SECRET_KEY
export KFP_RS_S3_BUCKET=$BUCKET
export KFP_RS_S3_DATA=$STATE/s3-data
ENV
}

start() {
  install
  mkdir -p "$STATE/s3-data/$BUCKET"
  if [ -f "$STATE/s3.pid" ] && kill -0 "$(cat "$STATE/s3.pid")" 2>/dev/null; then
    echo "s3s-fs already running (pid $(cat "$STATE/s3.pid"))"
  else
    setsid "$BIN" --host 127.0.0.1 --port "$PORT" --access-key "$ACCESS_KEY" \
      --secret-key "$SECRET_KEY" "$STATE/s3-data" >"$STATE/s3.log" 2>&1 </dev/null &
    echo $! >"$STATE/s3.pid"
  fi
  # Ready when it answers at all (an unsigned request gets an S3 error document).
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
      env_lines >"$STATE/s3.env"
      echo "s3s-fs $VERSION on http://127.0.0.1:$PORT (data: $STATE/s3-data)"
      return 0
    fi
    sleep 0.1
  done
  echo "error: s3s-fs did not answer on port $PORT within 10 s; log:" >&2
  cat "$STATE/s3.log" >&2
  return 1
}

stop() {
  if [ -f "$STATE/s3.pid" ]; then
    local pid
    pid=$(cat "$STATE/s3.pid")
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- "-$pid" 2>/dev/null || true
    rm -f "$STATE/s3.pid" "$STATE/s3.env"
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
