#!/usr/bin/env bash
# Runs the test suite against the aarch64 manylinux wheel of wheelhouse/ (or
# $WHEELHOUSE) under qemu-user, on Debian's arm64 CPython: the emulated
# counterpart of scripts/test-wheels.sh for the cross-built wheel.
#
#   bash scripts/test-wheel-aarch64.sh
#
# Debian's arm64 python3.11 and the libraries it needs are fetched with
# `apt-get download` into a private apt state (the system's apt
# configuration is not touched) and unpacked into a root for
# `qemu-aarch64-static -L`; cffi and pytest come from PyPI as aarch64 wheels
# (pip download). Child Pythons started by the tests (sys.executable) go
# through the same emulation. Not run here, because they test nothing that
# depends on the CPU and the x86_64 wheel runs cover them:
# - tests/interop: the reference libnanomsg is an x86_64 library here;
# - the tests marked source_tree: they build C from the source tree;
# - tests/test_cli.py: the CLI is pure Python, the same bytes in every
#   wheel; each test starts emulated interpreters, slower to start under
#   qemu than the tests' 5 s timeouts, and an unpacked wheel has no
#   console script;
# - tests/netfault: network namespaces and nftables, not the CPU; its
#   peers (emulated interpreters) miss its 10 s start-up limit;
# - tests/test_typing.py: mypy on the type stubs, the same bytes in every
#   wheel; mypy's own aarch64 build stops with an internal error under
#   qemu-user.
# Needs root for apt-get install qemu-user-static when qemu is missing.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${WHEELHOUSE:-$REPO/wheelhouse}"
PY="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

shopt -s nullglob
wheels=("$OUT"/nnpy-*-cp39-abi3-*manylinux_2_17_aarch64*.whl)
shopt -u nullglob
if [ ${#wheels[@]} -ne 1 ]; then
    echo "need exactly one aarch64 manylinux wheel in $OUT (bash scripts/build-wheels.sh)" >&2
    exit 1
fi
if ! command -v qemu-aarch64-static > /dev/null; then
    timeout 900 apt-get install -y -qq qemu-user-static > /dev/null
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
APT=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
     -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache"
     -o Dir::State::status="$WORK/apt/status" -o Debug::NoLocking=1)
mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/debs" "$WORK/root"
touch "$WORK/apt/status"
echo "== Debian arm64 python3.11 (apt-get download)"
timeout 600 apt-get "${APT[@]}" update > "$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; exit 1; }
(cd "$WORK/debs" && timeout 600 apt-get "${APT[@]}" download python3.11-minimal \
    libpython3.11-minimal libpython3.11-stdlib libc6 libffi8 zlib1g libexpat1 libssl3 \
    libgcc-s1 >> "$WORK/apt.log" 2>&1) || { cat "$WORK/apt.log"; exit 1; }
for deb in "$WORK"/debs/*.deb; do
    dpkg-deb -x "$deb" "$WORK/root"
done

# The emulated interpreter, as an executable the tests can start again.
ARMPY="$WORK/python-aarch64"
printf '#!/bin/sh\nexec qemu-aarch64-static -L "%s" "%s/usr/bin/python3.11" "$@"\n' \
    "$WORK/root" "$WORK/root" > "$ARMPY"
chmod +x "$ARMPY"

echo "== aarch64 wheels of the test requirements (pip download)"
SITE="$WORK/site"
mkdir -p "$SITE" "$WORK/dl"
mapfile -t REQUIRES < <("$PY" "$REPO/scripts/wheel-requires.py" "${wheels[0]}" test)
# pip takes --platform literally, so every manylinux level up to the glibc of
# the Debian root (2.36) is listed: some requirements (pynng 0.9) publish
# aarch64 wheels only for manylinux_2_26 and later.
PLATFORMS=(--platform manylinux2014_aarch64)
for v in 17 24 26 27 28 31 34 35 36; do
    PLATFORMS+=(--platform "manylinux_2_${v}_aarch64")
done
timeout 600 "$PY" -m pip download -q -d "$WORK/dl" --only-binary=:all: \
    "${PLATFORMS[@]}" --python-version 3.11 --implementation cp \
    --abi cp311 --abi abi3 --abi none "${REQUIRES[@]}"
for w in "$WORK"/dl/*.whl "${wheels[0]}"; do
    "$PY" -m zipfile -e "$w" "$SITE"
done
printf 'import sys\nsys.executable = "%s"\n' "$ARMPY" > "$SITE/sitecustomize.py"

mkdir -p "$WORK/run"
cp -r "$REPO/tests" "$WORK/run/tests"
cd "$WORK/run"
export PYTHONPATH="$SITE"
"$ARMPY" -c 'import nnpy, platform; print(platform.machine(), platform.python_version(), nnpy.__file__)'
echo "== $(basename "${wheels[0]}") under qemu-aarch64"
timeout 2400 "$ARMPY" -m pytest -q -p no:cacheprovider -c "$REPO/pyproject.toml" \
    --rootdir "$WORK/run" -m "not source_tree" --ignore=tests/interop \
    --ignore=tests/test_cli.py --ignore=tests/netfault --ignore=tests/test_typing.py tests
