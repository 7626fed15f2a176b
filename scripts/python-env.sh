#!/usr/bin/env bash
# Usage: scripts/python-env.sh OPS_VERSION -> prints the path of a venv with scenario installed on that ops.
# The wheel is built once (incrementally, in build/) and installed into .venvs/ops-<version>.
set -euo pipefail
cd "$(dirname "$0")/.."
ops_version="$1"
python="${PYTHON:-python3}"
wheelhouse=build/wheelhouse
if [ ! -d .venvs/builder ]; then
  "$python" -m venv .venvs/builder
  .venvs/builder/bin/pip install -q --upgrade pip >/dev/null
  .venvs/builder/bin/pip install -q "scikit-build-core>=0.10" "nanobind>=2.4" >/dev/null
fi
rm -rf "$wheelhouse" && mkdir -p "$wheelhouse"
.venvs/builder/bin/pip wheel -q --no-deps --no-build-isolation -w "$wheelhouse" . >&2
venv=".venvs/ops-$ops_version"
if [ ! -d "$venv" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >/dev/null
fi
"$venv/bin/pip" install -q "ops==$ops_version" pytest pytest-xdist jsonpatch pyyaml hypothesis >&2
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheelhouse"/*.whl >&2
echo "$venv"
