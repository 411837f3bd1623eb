#!/usr/bin/env bash
# Conformance of every example against what the official kfp SDKs emit (../shared/oracle):
# the checks `kfp-examples/examples.list` asks for, then the flagship's own. Called by
# `.ci/run`; to run it by hand, set up the oracle's venvs (`bash ../shared/oracle/setup.sh`)
# and build the examples (`cargo build -p kfp-examples --examples`) first.
set -euo pipefail
cd "$(dirname "$0")/.."
ORACLE="$(cd .. && pwd)/shared/oracle"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
fail=0
manifest=kfp-examples/examples.list

# One check of example $2's YAML for target $1 (`valid`, `oracle[:X]` or `kfp[:X]`; see the
# manifest); $3 holds the example's compare.py `--ignore` paths for that target, one a line.
check() {
  local target=$1 name=$2 ignores=$3 what=$4
  local yaml="$OUT/$target-$name.yaml" golden flags=()
  "target/debug/examples/$name" compile --target "$target" -o "$yaml"
  case "$what" in
    valid)
      if [ "$target" = v1 ]; then
        python3 "$ORACLE/validate_argo.py" "$yaml" || fail=1
        python3 "$ORACLE/validate_argo.py" --schema v4.1.2 "$yaml" || fail=1
      else
        python3 "$ORACLE/validate_ir.py" "$yaml" || fail=1
      fi
      return ;;
    oracle) golden="$ORACLE/golden/$target/$name.yaml" ;;
    oracle:*) golden="$ORACLE/golden/$target/${what#oracle:}.yaml" ;;
    kfp) golden="tests/kfp-golden/$target/$name.yaml" ;;
    kfp:*) golden="tests/kfp-golden/$target/${what#kfp:}.yaml" ;;
    *) echo "$manifest: $name: unknown $target check \`$what\`" >&2; fail=1; return ;;
  esac
  flags=(--any-program)
  if [ "$target" = v2 ]; then flags+=(--inline-refs); fi
  while IFS= read -r path; do
    if [ -n "$path" ]; then flags+=(--ignore "$path"); fi
  done <<< "$ignores"
  if [ "$target" = v1 ]; then
    python3 "$ORACLE/validate_argo.py" "$yaml" || fail=1
  else
    python3 "$ORACLE/validate_ir.py" "$yaml" || fail=1
  fi
  python3 "$ORACLE/compare.py" "${flags[@]}" "$yaml" "$golden" || fail=1
}

# Read the whole manifest first: an example's `ignore` lines follow it.
names=()
declare -A checks=() ignores=()
last=""
while read -r first second third rest; do
  case "$first" in '' | '#'*) continue ;; esac
  if [ -n "$rest" ] || [ -z "$third" ]; then
    echo "$manifest: expected \`<name> <v1> <v2>\` or \`ignore <target> <path>\`: $first $second $third $rest" >&2
    exit 1
  fi
  if [ "$first" = ignore ]; then
    ignores["$last $second"]+="$third"$'\n'
  else
    names+=("$first")
    checks["$first v1"]=$second
    checks["$first v2"]=$third
    last=$first
  fi
done < "$manifest"
for name in "${names[@]}"; do
  for target in v1 v2; do
    case "${checks[$name $target]}" in no | -) continue ;; esac
    IFS=+ read -ra whats <<< "${checks[$name $target]}"
    for what in "${whats[@]}"; do
      check "$target" "$name" "${ignores[$name $target]:-}" "$what"
    done
  done
done

# The flagship also carries what it adds to the seed, and no literal credential.
for want in 'nvidia.com/gpu: 1' MLFLOW_TRACKING_URI secretKeyRef AWS_SECRET_ACCESS_KEY; do
  grep -q "$want" "$OUT/v1-yolov8withmlflow.yaml" || { echo "flagship v1: no $want"; fail=1; }
done
for want in nvidia.com/gpu MLFLOW_TRACKING_URI secretAsEnv AWS_ACCESS_KEY_ID; do
  grep -q "$want" "$OUT/v2-yolov8withmlflow.yaml" || { echo "flagship v2: no $want"; fail=1; }
done
if grep -ri minio123 kfp-examples/ "$OUT"/*yolov8withmlflow*.yaml; then
  echo "a literal credential is in the flagship"; fail=1
fi
# Compiling twice gives the same bytes, and `compile -o X` equals the no-argument output.
( cd "$OUT" && "$OLDPWD/target/debug/examples/yolov8withmlflow" )
cmp "$OUT/yolov8withmlflow.yaml" "$OUT/v1-yolov8withmlflow.yaml" || fail=1

if [ "$fail" != 0 ]; then
  echo "conformance: FAILED" >&2
  exit 1
fi
echo "conformance: all examples valid and EQUAL to kfp's output"
