#!/usr/bin/env bash
# Builds the Python wheel that carries the shipshape binary (pyproject.toml: maturin's
# "bin" bindings) into target/wheels/, in release mode. maturin is installed from PyPI
# into a virtual environment of its own under target/tools/, kept between runs.
#
#   scripts/build-wheel.sh            # target/wheels/shipshape_lint-<version>-py3-none-<platform>.whl
#   scripts/build-wheel.sh --sdist    # also the source distribution (builds with cargo)
#
# tests/wheel.rs installs the wheel into a fresh virtual environment and runs it; .ci/run
# builds it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned, so a new maturin cannot change the wheel under a green CI; pyproject.toml's
# range is what a build from source (pip install of a checkout or the sdist) accepts.
maturin_version=1.16.0
venv=target/tools/maturin
if ! "$venv/bin/maturin" --version 2>/dev/null | grep -qx "maturin $maturin_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$maturin_version"
fi

# One wheel per version and platform: an older build of another version would leave the
# test a choice to make.
rm -f target/wheels/shipshape_lint-*.whl target/wheels/shipshape_lint-*.tar.gz
"$venv/bin/maturin" build --release --locked --out target/wheels "$@"
ls -l target/wheels/
