#!/usr/bin/env bash
# The demo: builds Scenario, then runs the example charm's real Scenario tests and prints what a run returns.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
venv=$(scripts/python-env.sh "${OPS_VERSION:-3.9.0}")
echo "== The example charm's Scenario tests (examples/webapp/tests)"
"$venv/bin/python" -m pytest -v -p no:cacheprovider examples/webapp/tests
echo
echo "== One run, shown: examples/webapp/demo.py"
"$venv/bin/python" examples/webapp/demo.py
