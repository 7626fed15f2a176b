#!/usr/bin/env bash
# Runs every test: the C++ GoogleTest suites (ctest), the wheel as a user installs it, mypy on the
# example, the Python suite on each ops version CI covers, the release checks (tests/packaging),
# then ctest again under ASan+UBSan and each fuzz target for a short fixed time.
set -euo pipefail
cd "$(dirname "$0")/.."
OPS_VERSIONS=${OPS_VERSIONS:-"2.4.1 2.23.6 3.9.0"}
scripts/system-deps.sh

echo "== C++ tests"
cmake -S . -B build/cpp -G Ninja -DSCENARIO_BUILD_TESTS=ON -DSCENARIO_BUILD_PYTHON=OFF >/dev/null
cmake --build build/cpp -j "$(nproc)"
ctest --test-dir build/cpp --output-on-failure -j "$(nproc)"

echo "== The wheel (scripts/wheel.sh), built from source for this machine's python3"
build_start=${EPOCHREALTIME/./}
wheel=$(scripts/wheel.sh python3)
source_build_us=$((${EPOCHREALTIME/./} - build_start))

echo "== The wheel as a charm author gets it: a fresh venv, no compiler, the example tests"
# Through a process substitution, not `tee /dev/stderr`: reopening /dev/stderr truncates a log
# file that stderr is redirected to, losing everything printed before this step.
smoke=$(scripts/wheel-smoke.sh "$wheel" | tee >(cat >&2) | tail -n 1)
echo "figures: ${smoke}; building it from source took $((source_build_us / 1000000)) s" \
     "(incremental when build/ is warm)"

echo "== mypy --strict on the example's tests, against the installed wheel"
scripts/typecheck.sh "$wheel"

for ops_version in $OPS_VERSIONS; do
  echo "== Python tests on ops $ops_version"
  venv=$(scripts/python-env.sh "$ops_version")
  "$venv/bin/python" -m pytest -q -n 2 -p no:cacheprovider tests/python examples
done

echo "== The source tree as a release: build errors, quiet configure, documents, licence, version"
"$venv/bin/python" -m pytest -q -n 2 -p no:cacheprovider tests/packaging

echo "== ops-scenario 3.1's own test suite against this package (ops 2.4.1)"
scripts/ops-scenario-3.1-suite.sh

echo "== bench harness self-test (tiny counts, ours replaced by a marked stub; RESULTS.md untouched)"
bench/run.sh --selftest

echo "== C++ tests under ASan and UBSan"
scripts/sanitize.sh

echo "== fuzz targets under ASan and UBSan"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
