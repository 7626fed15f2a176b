#!/usr/bin/env bash
# Installs a wheel as a charm author would, and runs the example charm's tests against it: a fresh
# venv, no compiler on PATH (so nothing can be built from source), the tests run from a copy of
# examples/webapp outside the source tree (so only the installed package is importable). Prints
# how long the install and the tests took.  Usage: scripts/wheel-smoke.sh WHEEL [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
wheel=$(realpath "$1")
# The interpreter itself, not a wrapper script (pyenv shims need bash on PATH).
python=$("${2:-python3}" -c 'import sys; print(sys.executable)')
work=$(mktemp -d)
trap 'PATH=/usr/bin:/bin rm -rf "$work"' EXIT
cp -r examples/webapp "$work/webapp"
find "$work/webapp" -name __pycache__ -prune -exec rm -rf {} +

start=${EPOCHREALTIME/./}  # microseconds
# The venv gets no pip of its own (seeding one costs seconds): this Python's pip installs into it.
"$python" -m venv --without-pip "$work/venv"
cd "$work/webapp"
# Only the venv's own programs: a C or C++ compiler is not reachable.
export PATH="$work/venv/bin" CC=false CXX=false
for compiler in cc c++ gcc g++ clang clang++; do
  if command -v "$compiler" >/dev/null; then echo "a compiler is on PATH: $compiler" >&2; exit 1; fi
done
"$python" -m pip --python "$work/venv/bin/python" install -q --disable-pip-version-check \
  --only-binary :all: "$wheel" pytest
installed=${EPOCHREALTIME/./}
location=$(python -c 'import scenario; print(scenario.__file__)')
case "$location" in
  "$work/venv/"*) ;;
  *) echo "scenario was imported from $location, not from the installed wheel" >&2; exit 1 ;;
esac
# Self-contained: a manylinux wheel whose engine loads the libraries it carries, not this machine's.
case "${wheel##*/}" in
  *-manylinux_*) ;;
  *) echo "${wheel##*/} has no manylinux tag: build it with scripts/wheel.sh (auditwheel repair)" >&2; exit 1 ;;
esac
engine=$(python -c 'import scenario._engine as e; print(e.__file__)')
if /usr/bin/ldd "$engine" | grep -v scenario_engine.libs | grep -Eq 'libyaml-cpp|libsqlite3|libfmt'; then
  echo "the installed engine loads a library from outside the wheel:" >&2; /usr/bin/ldd "$engine" >&2; exit 1
fi
python -m pytest -q -p no:cacheprovider tests
done_at=${EPOCHREALTIME/./}
seconds() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }
echo "wheel install (fresh venv): $(seconds $((installed - start))) s, example tests:" \
  "$(seconds $((done_at - installed))) s, together: $(seconds $((done_at - start))) s (${wheel##*/})"
