#!/usr/bin/env bash
# The one benchmark command. From the repo root:
#
#   bench/run.sh                    # full run: builds venvs, measures everything, writes bench/RESULTS.md
#   bench/run.sh --soak 2000        # shorter soak for ours and the floor
#   bench/run.sh --peer-soak 1000   # shorter soak for ops-scenario 3.1 / ops[testing]
#   bench/run.sh --skip-ours        # peers and floor only (when the repo does not build)
#   bench/run.sh --selftest         # harness self-test: tiny counts, ours replaced by a marked stub
#
# Any other option is passed to bench/compare.py, which holds every default (COUNTS) and target
# (TARGETS) in one place: `python3 bench/compare.py --help`.
# Venvs live in bench/.venvs/ (gitignored); each is rebuilt only when its package pins change,
# except ours, which is rebuilt from the working tree on every run.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
VENVS="$BENCH/.venvs"
PYTHON="${PYTHON:-python3}"
mkdir -p "$VENVS"

skip_ours=0
selftest=0
passthrough=()
for arg in "$@"; do
  case "$arg" in
    --skip-ours) skip_ours=1 ;;
    --selftest) selftest=1 ;;
    *) passthrough+=("$arg") ;;
  esac
done

log() { printf '[bench] %s\n' "$*" >&2; }

# make_venv NAME PACKAGE... : (re)create bench/.venvs/NAME with exactly these pins.
make_venv() {
  local name="$1"; shift
  local dir="$VENVS/$name" want="$*"
  if [[ -x "$dir/bin/python" && -f "$dir/.pins" && "$(cat "$dir/.pins")" == "$want" ]]; then
    return 0
  fi
  log "creating venv $name: $want"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >"$VENVS/$name.pip.log" 2>&1 || {
    log "pip install failed for $name; see $VENVS/$name.pip.log"; tail -5 "$VENVS/$name.pip.log" >&2; return 1; }
  echo "$want" >"$dir/.pins"
}

# ops-scenario 3.1 imports pytest at import time without declaring it.
make_venv s31 "ops-scenario==3.1" "ops==2.4.1" "pytest"
make_venv latest "ops[testing]==3.9.0"
make_venv floor-ops2 "ops==2.4.1" "PyYAML"
make_venv floor-ops3 "ops==3.9.0" "PyYAML"

ours_reason=""
if [[ $selftest == 1 ]]; then
  log "SELF-TEST: ours is replaced by a stub (ops-scenario 3.1 under the ours label); RESULTS.md is not written"
  exec "$PYTHON" "$BENCH/compare.py" --selftest --command "bench/run.sh --selftest" "${passthrough[@]}"
fi
if [[ $skip_ours == 1 ]]; then
  ours_reason="skipped with --skip-ours"
else
  # One wheel of the working tree, installed into one venv per ops version.
  wheelhouse="$VENVS/wheelhouse"
  rm -rf "$wheelhouse"; mkdir -p "$wheelhouse"
  log "building our wheel from $REPO (log: $VENVS/ours-build.log)"
  # Our own build dir (incremental across runs) so we never collide with anyone's build/.
  # Warnings are not errors here: the Release (-O3) build meets GCC 12's false-positive
  # -Wrestrict on std::string concatenation, and the bench measures speed, not warnings.
  # ccache, when there is one, makes a rebuild after a checkout cheap.
  launcher=()
  command -v ccache >/dev/null && launcher=(--config-settings=cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if CMAKE_BUILD_PARALLEL_LEVEL=2 "$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$wheelhouse" \
      --config-settings=build-dir="$VENVS/ours-build" "${launcher[@]}" \
      --config-settings=cmake.define.SCENARIO_WERROR=OFF "$REPO" \
      >"$VENVS/ours-build.log" 2>&1; then
    wheel="$(ls "$wheelhouse"/*.whl | head -1)"
    for pair in "ours-ops2:ops==2.4.1" "ours-ops3:ops==3.9.0"; do
      name="${pair%%:*}"; ops_pin="${pair#*:}"
      make_venv "$name" "$ops_pin" "PyYAML" "pytest"  # pytest: the start-up and whole-suite workers
      "$VENVS/$name/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel" \
        >>"$VENVS/$name.pip.log" 2>&1 || { ours_reason="installing the wheel into $name failed"; break; }
      "$VENVS/$name/bin/python" -c "import scenario._engine" 2>>"$VENVS/$name.pip.log" \
        || { ours_reason="scenario._engine does not import in $name (see $VENVS/$name.pip.log)"; break; }
    done
  else
    ours_reason="pip wheel of the repo failed (see bench/.venvs/ours-build.log)"
    tail -5 "$VENVS/ours-build.log" >&2 || true
  fi
  [[ -n "$ours_reason" ]] && log "ours is not measured: $ours_reason"
fi

exec "$PYTHON" "$BENCH/compare.py" --ours-unavailable "$ours_reason" --command "bench/run.sh $*" "${passthrough[@]}"
