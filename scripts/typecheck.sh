#!/usr/bin/env bash
# mypy --strict on the example charm's tests, with scenario installed from a wheel (as a charm's
# CI has it): the checked code may use nothing that scenario types as Any.
# Usage: scripts/typecheck.sh WHEEL
set -euo pipefail
cd "$(dirname "$0")/.."
wheel=$(realpath "$1")
venv=.venvs/typecheck
if [ ! -d "$venv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
fi
"$venv/bin/pip" install -q mypy==2.4.1 pytest "ops==3.9.0" >&2
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel" >&2
# The charm module is the example's own code, found as its tests find it (conftest.py).
# tests/typing asserts the types of the API a test uses, so that none of them is Any.
MYPYPATH=examples/webapp/src "$venv/bin/mypy" --strict --no-incremental examples/webapp/tests tests/typing
