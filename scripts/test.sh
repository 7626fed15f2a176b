#!/usr/bin/env bash
# Runs every test: the C++ GoogleTest suites (ctest), the Python suite on each ops version CI covers,
# then ctest again under ASan+UBSan and each fuzz target for a short fixed time.
set -euo pipefail
cd "$(dirname "$0")/.."
OPS_VERSIONS=${OPS_VERSIONS:-"2.4.1 2.23.6 3.9.0"}
scripts/system-deps.sh

echo "== C++ tests"
cmake -S . -B build/cpp -G Ninja -DSCENARIO_BUILD_TESTS=ON -DSCENARIO_BUILD_PYTHON=OFF >/dev/null
cmake --build build/cpp -j "$(nproc)"
ctest --test-dir build/cpp --output-on-failure -j "$(nproc)"

for ops_version in $OPS_VERSIONS; do
  echo "== Python tests on ops $ops_version"
  venv=$(scripts/python-env.sh "$ops_version")
  "$venv/bin/python" -m pytest -q -n 2 -p no:cacheprovider tests/python examples
done

echo "== ops-scenario 3.1's own test suite against this package (ops 2.4.1)"
scripts/ops-scenario-3.1-suite.sh

echo "== bench harness self-test (tiny counts, ours replaced by a marked stub; RESULTS.md untouched)"
bench/run.sh --selftest

echo "== C++ tests under ASan and UBSan"
scripts/sanitize.sh

echo "== fuzz targets under ASan and UBSan"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
