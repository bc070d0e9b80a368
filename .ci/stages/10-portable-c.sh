#!/usr/bin/env bash
# The C tests (ASan+UBSan) of the core built as on a non-Linux POSIX system:
# poll backend and every POSIX fallback (src/utils/platform.h). Builds into
# vendor/nanomsg/build-portable/, apart from the default build.
set -euo pipefail
cd "${REPO:-$(dirname "$0")/../..}"
timeout 1500 make -j"$(nproc)" -C vendor/nanomsg check NN_PORTABLE=1
