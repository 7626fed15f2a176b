#!/usr/bin/env bash
# Installs the Debian packages the engine builds against, plus any named as arguments (skips apt
# when all are present). The -dev packages are those cmake/ScenarioDependencies.cmake names
# (tests/packaging checks that the two lists agree).
set -euo pipefail
packages=(g++ cmake ninja-build python3-dev python3-venv nlohmann-json3-dev libyaml-cpp-dev libfmt-dev
          libsqlite3-dev libboost-dev libgtest-dev libgmock-dev libcli11-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
