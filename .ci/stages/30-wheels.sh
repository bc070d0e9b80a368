#!/usr/bin/env bash
# Wheels: the sdist and the four Linux cp39-abi3 wheels (manylinux2014 and
# musllinux_1_2, x86_64 and aarch64), built with zig by
# scripts/build-wheels.sh, which also runs auditwheel show, abi3audit and
# scripts/check-dist.py on them. Then the x86_64 manylinux wheel, installed
# with no compiler, is tested on CPython 3.9-3.13 (pyenv): the whole suite
# on 3.9 and 3.13, a quick subset on 3.10-3.12 to keep the stage short (the
# README's test run covers the whole suite from source on this venv's Python).
# Last, the aarch64 manylinux wheel runs the suite (interop aside) under
# qemu-user on Debian's arm64 CPython 3.11.
set -euo pipefail
WHEELHOUSE="$(mktemp -d)/wheelhouse"
export WHEELHOUSE
bash scripts/build-wheels.sh
NNPY_WHEEL_QUICK="3.10 3.11 3.12" bash scripts/test-wheels.sh 3.9 3.10 3.11 3.12 3.13
bash scripts/test-wheel-aarch64.sh
