#!/usr/bin/env bash
# Cross-builds (scripts/cross-check.sh): the core compiled -Werror for
# macOS, FreeBSD, musl and glibc 2.17 targets with zig cc, and the C tests
# run statically for x86_64 and aarch64 musl (aarch64 under qemu), with
# both I/O backends. Installs ziglang (pip) and qemu-user-static (apt).
set -euo pipefail
cd "${REPO:-$(dirname "$0")/../..}"
PYTHON=python JOBS=2 TEST_TIMEOUT=300 timeout 2000 bash scripts/cross-check.sh
