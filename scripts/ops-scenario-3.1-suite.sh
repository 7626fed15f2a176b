#!/usr/bin/env bash
# The outside check of drop-in compatibility: ops-scenario 3.1's own test suite, from its sdist on
# PyPI, run against our package on ops 2.4.1 (the newest ops 3.1 supports). Nothing of it is kept
# in this repository; it is downloaded into build/ each time the cache is empty.
#
# Deselected: the tests that observe what stays different in every mode
# (docs/differences-from-3.1.md, "What stays different in every mode").
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$PWD/$(scripts/python-env.sh 2.4.1)"
cache=build/ops-scenario-3.1
if [ ! -d "$cache/ops-scenario-3.1/tests" ]; then
  rm -rf "$cache" && mkdir -p "$cache"
  # 3.1's sdist builds its metadata with setuptools; newer setuptools refuse its setup.cfg.
  echo "setuptools<70" > "$cache/constraints.txt"
  # (PIP_BUILD_CONSTRAINT: pip >= 25.3 applies only build constraints inside the build.)
  PIP_CONSTRAINT="$PWD/$cache/constraints.txt" PIP_BUILD_CONSTRAINT="$PWD/$cache/constraints.txt" \
    "$venv/bin/pip" download -q --no-deps \
    --no-binary :all: ops-scenario==3.1 -d "$cache" >&2
  tar -xzf "$cache"/ops-scenario-3.1.tar.gz -C "$cache"
fi
# Run from a copy of the tests alone, so that 3.1's own `scenario` package is not importable.
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cp -r "$cache/ops-scenario-3.1/tests" "$workdir/"
cd "$workdir"
deselected=(
  # 3.1 ran ops in legacy hook mode, which logged 16 symlink creations before the event line.
  tests/test_e2e/test_juju_log.py::test_juju_log
  # 3.1's mock backend raised RuntimeError where ops raises SecretNotFoundError / ModelError.
  tests/test_e2e/test_secrets.py::test_get_secret_no_secret
  tests/test_e2e/test_secrets.py::test_meta_nonowner
  tests/test_e2e/test_secrets.py::test_grant_nonowner
)
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests "${deselected[@]/#/--deselect=}"
