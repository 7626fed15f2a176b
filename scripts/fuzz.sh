#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) in build/fuzz and runs each for a fixed
# time on a copy of its seed corpus (fuzz/corpus/<target>/) plus its known reproducers
# (fuzz/regressions/<target>/). Fails on any crash, leak or timeout; the failing inputs are kept
# in build/fuzz/artifacts/<target>/.  Usage: scripts/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
scripts/system-deps.sh clang-14 libfuzzer-14-dev libclang-rt-14-dev

CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DSCENARIO_FUZZ=ON \
  -DSCENARIO_BUILD_TESTS=OFF -DSCENARIO_BUILD_PYTHON=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf build/fuzz/artifacts

# One run: a fixed seed and input size keep it repeatable; stdin is closed so that a tool told to
# read /dev/stdin cannot wait on the terminal.
fuzz_one() {
  local target=$1 seconds=$2 work=$3
  local artifacts=build/fuzz/artifacts/$target
  mkdir -p "$artifacts" "$work/$target"
  cp -r "fuzz/corpus/$target/." "$work/$target/"
  local extra=()
  [ -d "fuzz/regressions/$target" ] && extra+=("fuzz/regressions/$target")
  if "build/fuzz/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -seed=1 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
       "$work/$target" "${extra[@]}" </dev/null >"$work/$target.log" 2>&1; then
    echo "ok    $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$') inputs"
  else
    echo "FAIL  $target (inputs kept in $artifacts):"
    tail -n 60 "$work/$target.log"
    return 1
  fi
}
export -f fuzz_one

echo "== fuzzing each target for ${seconds}s"
targets=$(ls fuzz/corpus)
# Targets run side by side, one per core; every one runs even when another fails.
if ! printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'fuzz_one "$@"' _ {} "$seconds" "$work"; then
  echo "fuzzing found failures (see above)"
  exit 1
fi
