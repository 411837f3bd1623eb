#!/usr/bin/env bash
# Graphviz's `dot`, which the graph tests render every example's DOT with (issue 12).
# Installs the Debian package only when `dot` is missing: a few seconds when it is there.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends graphviz >/dev/null
command -v dot
