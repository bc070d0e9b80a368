#!/usr/bin/env bash
# The C tests of tests/c once more, built with ThreadSanitizer (issue 11):
# `make tsan` stops at the first report (halt_on_error) and names the
# test. Suppressions live in vendor/nanomsg/tsan.supp, each with the
# reason it is not a bug.
set -euo pipefail
timeout 1800 make -j"$(nproc)" -C vendor/nanomsg tsan
