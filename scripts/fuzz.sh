#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) in build/fuzz and runs each for a fixed
# time on a copy of its seed corpus (fuzz/corpus/<target>/), after replaying its known reproducers
# (fuzz/regressions/<target>/). Fails on any crash, leak or timeout; the failing inputs are kept
# in build/fuzz/artifacts/<target>/.  Usage: scripts/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
scripts/system-deps.sh clang-14 libfuzzer-14-dev libclang-rt-14-dev

# -O1 -g1: half the compile time of -O2 -g, with line numbers in crash reports.
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DSCENARIO_FUZZ=ON \
  -DSCENARIO_BUILD_TESTS=OFF -DSCENARIO_BUILD_PYTHON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
targets=$(ls fuzz/corpus)
# Only the fuzz targets and the engine layers they reach, not the whole engine.
cmake --build build/fuzz -j "$(nproc)" --target $targets

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf build/fuzz/artifacts

# One target: its known reproducers, replayed whole (a corpus entry would be cut to -max_len),
# then fuzzing from its seeds with a fixed seed and input size so that runs are repeatable. Stdin
# is closed so that a tool told to read /dev/stdin cannot wait on the terminal.
fuzz_one() {
  local target=$1 seconds=$2 work=$3
  local binary=build/fuzz/fuzz/$target artifacts=build/fuzz/artifacts/$target log=$work/$1.log
  local limits=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
  mkdir -p "$artifacts" "$work/$target"
  cp -r "fuzz/corpus/$target/." "$work/$target/"
  local regressions=()
  [ -d "fuzz/regressions/$target" ] && regressions=(fuzz/regressions/"$target"/*)
  if { { ((${#regressions[@]} == 0)) || "$binary" "${limits[@]}" "${regressions[@]}"; } &&
       "$binary" "${limits[@]}" -max_total_time="$seconds" -max_len=4096 -seed=1 \
         -print_final_stats=1 "$work/$target"; } </dev/null >"$log" 2>&1; then
    echo "ok    $target: $(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs"
  else
    echo "FAIL  $target (inputs kept in $artifacts); the last input it ran:"
    grep 'Running: ' "$log" | tail -n 1 || true
    tail -n 60 "$log"
    return 1
  fi
}
export -f fuzz_one

echo "== fuzzing each target for ${seconds}s"
# Targets run side by side, one per core; every one runs even when another fails.
if ! printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'fuzz_one "$@"' _ {} "$seconds" "$work"; then
  echo "fuzzing found failures (see above)"
  exit 1
fi
