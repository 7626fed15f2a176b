#!/usr/bin/env bash
# Usage: scripts/python-env.sh OPS_VERSION -> prints the path of a venv with scenario installed on that ops.
# The wheel is scripts/wheel.sh's (built incrementally in build/), installed into .venvs/ops-<version>.
set -euo pipefail
cd "$(dirname "$0")/.."
ops_version="$1"
python="${PYTHON:-python3}"
wheel=$(scripts/wheel.sh "$python")
venv=".venvs/ops-$ops_version"
if [ ! -d "$venv" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >/dev/null
fi
"$venv/bin/pip" install -q "ops==$ops_version" pytest pytest-xdist jsonpatch pyyaml hypothesis >&2
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel" >&2
echo "$venv"
