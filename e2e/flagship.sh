#!/usr/bin/env bash
# Opt-in end-to-end run of the flagship's `train` component with real ultralytics (not in CI:
# the venv is about 6 GB). It:
#   1. installs ultralytics + mlflow + boto3 into ${XDG_CACHE_HOME:-~/.cache}/kfp-rs-ci/flagship-venv
#      (once; reused);
#   2. starts s3s-fs and the MLflow servers of .ci/services (direct s3:// artifacts, the seed's
#      MinIO setup) unless they are running, and stops what it started;
#   3. generates a tiny YOLO dataset (synthetic images with boxes, no download);
#   4. runs `yolov8withmlflow component train` as the KFP v1 pod does, with checker=true, on
#      CPU, from scratch (`yolov8n.yaml`, no weight download), `--data` pointing at the dataset;
#   5. asserts over MLflow's REST API and on the S3 server's disk that the run is FINISHED and
#      holds ultralytics' params, metrics and weights, in S3.
#
#   bash e2e/flagship.sh            # EPOCHS=1 by default
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kfp-rs-ci"
VENV="$CACHE/flagship-venv"
EPOCHS="${EPOCHS:-1}"
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true

step() { printf '\n=== %s\n' "$*"; }

step "venv: ultralytics + mlflow 3.17.2 + boto3 ($VENV)"
if [ "$(cat "$VENV/.kfp-rs-version" 2>/dev/null)" != "1" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check ultralytics 'mlflow==3.17.2' boto3
  echo 1 >"$VENV/.kfp-rs-version"
fi
"$VENV/bin/python" -c 'import ultralytics, mlflow; print("ultralytics", ultralytics.__version__, "mlflow", mlflow.__version__)'

step "services"
started=()
STATE="${KFP_RS_SERVICES_DIR:-${TMPDIR:-/tmp}/kfp-rs-services}"
if [ ! -f "$STATE/s3.env" ]; then .ci/services/s3.sh start; started+=(s3); fi
if [ ! -f "$STATE/mlflow.env" ]; then .ci/services/mlflow.sh start; started+=(mlflow); fi
WORK=$(mktemp -d)
cleanup() {
  for s in "${started[@]}"; do ".ci/services/$s.sh" stop || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
eval "$(.ci/services/s3.sh env)"
eval "$(.ci/services/mlflow.sh env)"

step "a tiny YOLO dataset in $WORK/data"
"$VENV/bin/python" - "$WORK/data" <<'PY'
import random, sys, pathlib
from PIL import Image, ImageDraw
root = pathlib.Path(sys.argv[1]); random.seed(0)
for split in ("train", "val"):
    (root / "images" / split).mkdir(parents=True); (root / "labels" / split).mkdir(parents=True)
    for i in range(8):
        img = Image.new("RGB", (64, 64), (random.randint(0, 60),) * 3)
        d = ImageDraw.Draw(img); lines = []
        for _ in range(random.randint(1, 3)):
            w, h = random.randint(10, 30), random.randint(10, 30)
            x, y = random.randint(0, 64 - w), random.randint(0, 64 - h)
            d.rectangle([x, y, x + w, y + h], fill=(255, random.randint(0, 255), 0))
            lines.append(f"0 {(x + w / 2) / 64:.4f} {(y + h / 2) / 64:.4f} {w / 64:.4f} {h / 64:.4f}")
        img.save(root / "images" / split / f"{i}.jpg")
        (root / "labels" / split / f"{i}.txt").write_text("\n".join(lines) + "\n")
(root / "data.yaml").write_text(
    f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n  0: box\n")
print("8 + 8 images")
PY

step "build the flagship"
cargo build --quiet -p kfp-examples --example yolov8withmlflow
BIN="$ROOT/target/debug/examples/yolov8withmlflow"

EXPERIMENT="flagship-e2e-$(date +%s)"
step "train (checker=true, yolov8n.yaml, $EPOCHS epoch(s), CPU) -> experiment $EXPERIMENT"
mkdir -p "$WORK/pod" "$WORK/yolo-config"
start=$(date +%s)
(
  cd "$WORK/pod"
  # The pod's environment: the MLflow wiring of the flagship plus the Secret's keys.
  env PATH="$VENV/bin:$PATH" YOLO_CONFIG_DIR="$WORK/yolo-config" YOLO_OFFLINE=1 \
    MLFLOW_TRACKING_URI="$KFP_RS_MLFLOW_S3_URI" MLFLOW_S3_ENDPOINT_URL="$KFP_RS_S3_ENDPOINT" \
    MLFLOW_EXPERIMENT_NAME="$EXPERIMENT" AWS_ACCESS_KEY_ID="$KFP_RS_S3_ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY="$KFP_RS_S3_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1 \
    "$BIN" component train --checker True --model-name yolov8n.yaml --epochs "$EPOCHS" \
    --imgsz 64 --batchsize 4 --data "$WORK/data/data.yaml"
)
echo "train took $(( $(date +%s) - start )) s"

step "check MLflow and S3"
"$VENV/bin/python" - "$KFP_RS_MLFLOW_S3_URI" "$EXPERIMENT" "$KFP_RS_S3_DATA" "$KFP_RS_S3_BUCKET" <<'PY'
import json, pathlib, sys, urllib.parse, urllib.request
uri, name, data, bucket = sys.argv[1:]
def get(path, **q):
    with urllib.request.urlopen(f"{uri}/api/2.0/mlflow/{path}?{urllib.parse.urlencode(q)}") as r:
        return json.load(r)
def post(path, body):
    req = urllib.request.Request(f"{uri}/api/2.0/mlflow/{path}", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
exp = get("experiments/get-by-name", experiment_name=name)["experiment"]
runs = post("runs/search", {"experiment_ids": [exp["experiment_id"]]}).get("runs", [])
assert len(runs) == 1, runs
run = runs[0]; info = run["info"]; d = run["data"]
params = {p["key"]: p["value"] for p in d.get("params", [])}
metrics = {m["key"]: m["value"] for m in d.get("metrics", [])}
print("run", info["run_id"], info["status"], len(params), "params,", len(metrics), "metrics")
assert info["status"] == "FINISHED", info
assert params.get("model") == "yolov8n.yaml", params.get("model")
assert params.get("data", "").endswith("data.yaml"), params.get("data")
assert any(k.startswith("train/") for k in metrics), sorted(metrics)
assert any(k.startswith("metrics/") for k in metrics), sorted(metrics)
art = info["artifact_uri"]
assert art.startswith(f"s3://{bucket}/"), art
prefix = pathlib.Path(data) / bucket / art[len(f"s3://{bucket}/"):]
weights = sorted(p.relative_to(prefix) for p in prefix.rglob("*.pt"))
print("weights in S3:", [str(w) for w in weights])
assert any(str(w).endswith("best.pt") for w in weights), weights
best = next(p for p in prefix.rglob("best.pt"))
assert best.stat().st_size > 1_000_000, best.stat().st_size
print("metrics:", {k: round(v, 4) for k, v in sorted(metrics.items())})
print("flagship e2e: OK")
PY
