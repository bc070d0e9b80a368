#!/usr/bin/env bash
# libFuzzer targets of tests/fuzz/ (issue 11): clang build with
# ASan+UBSan, each target run FUZZ_SECONDS from its seed corpus. A crash or
# failed oracle fails the stage; make prints the reproducer (hex, base64)
# and how to re-run it. Budget: build ~1 min + targets x FUZZ_SECONDS.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if ! command -v clang >/dev/null 2>&1; then
    timeout 600 apt-get install -y -qq clang >/dev/null
fi
# libFuzzer and the sanitizer runtimes ship apart from clang on Debian.
major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
        clang -x c -fsanitize=fuzzer,address -o /dev/null - 2>/dev/null; then
    timeout 600 apt-get install -y -qq "libclang-rt-${major}-dev" >/dev/null
fi

timeout 900 make -j"$(nproc)" -C vendor/nanomsg fuzz-build >/dev/null
timeout 1200 make -C vendor/nanomsg fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
