#!/usr/bin/env bash
# The Python suite once more, against nnpy built with AddressSanitizer and
# UndefinedBehaviorSanitizer (issue 11): both extensions (nnpy._nnpy, the
# vendored C core, and nnpy._speedups) get the sanitizer flags through
# CFLAGS/LDFLAGS, installed into a venv of their own. Python itself is not
# instrumented, so the ASan runtime is preloaded. Any report fails the
# stage, also one from a child process: reports go to files that must stay
# empty.
set -euo pipefail
cd "${REPO:-$(pwd)}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ASAN_VENV="$WORK/asan-venv"
python3 -m venv "$ASAN_VENV"
# Built from a copy without build/ dirs or built modules: setuptools would
# otherwise reuse the plain extension the README install left in ./build
# (it rebuilds on newer sources, not on other flags).
mkdir "$WORK/src"
tar --exclude=./.git --exclude=build --exclude='*.so' --exclude='*.egg-info' \
    -cf - . | tar -xf - -C "$WORK/src"
# Sanitized build; -O1 keeps it fast enough for the suite's timeouts.
# NN_DEBUG_LOCKS: the core also checks that the socket lock is held
# wherever a function needs it (core/sock.h), as make check does.
(cd "$WORK/src" &&
 CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1 -DNN_DEBUG_LOCKS" \
 LDFLAGS="-fsanitize=address,undefined" \
     timeout 900 "$ASAN_VENV/bin/pip" install -q --no-cache-dir '.[test]')
if ! ldd "$ASAN_VENV"/lib/python3*/site-packages/nnpy/_nnpy*.so | grep -q libasan; then
    echo "nnpy._nnpy is not linked with ASan" >&2
    exit 1
fi

LIBASAN=$(gcc -print-file-name=libasan.so)
REPORTS=$(mktemp -d)
# detect_leaks=0: LeakSanitizer at interpreter exit reports CPython's own
# never-freed allocations (interned objects, module state) by the
# thousand; the C core's leaks are checked by `make check` (LSan on) and
# by the fuzz targets. PYTHONMALLOC=malloc: Python objects (bytes given to
# nn_send, buffers recv fills) are ASan-tracked heap blocks, so a C read
# past their end is caught.
export LD_PRELOAD="$LIBASAN"
export PYTHONMALLOC=malloc
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan"
PYTEST="$ASAN_VENV/bin/pytest"

# The suite must import the sanitized build, and a bad read in the C core
# must be reported: checked first with a planted overflow (nn_send told
# to read 4096 bytes of a 3-byte object) in a child process.
cat > "$WORK/test_asan_probe.py" <<PROBE
import subprocess, sys
import nnpy._nnpy

def test_sanitized_module_is_imported():
    assert nnpy._nnpy.__file__.startswith("$ASAN_VENV/"), nnpy._nnpy.__file__

def test_overflow_is_reported(tmp_path):
    code = ("from nnpy._nnpy import ffi, lib\n"
            "s = lib.nn_socket(1, 16)\n"
            "lib.nn_bind(s, b'inproc://asan-probe')\n"
            "t = lib.nn_socket(1, 16)\n"
            "lib.nn_connect(t, b'inproc://asan-probe')\n"
            "lib.nn_send(t, ffi.from_buffer(bytes(3)), 4096, 0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"LD_PRELOAD": "$LIBASAN", "PYTHONMALLOC": "malloc",
                            "ASAN_OPTIONS": "detect_leaks=0"})
    assert r.returncode != 0 and "heap-buffer-overflow" in r.stderr, r.stderr[-2000:]
PROBE
(cd "$WORK" && timeout 120 "$PYTEST" -q -p no:cacheprovider test_asan_probe.py)

# Excluded, with reasons:
# - test_c_programs.py builds and runs tests/c with make and cc: those
#   programs run under ASan+UBSan in `make check` already, and this stage
#   would only preload ASan into make and the compiler.
# - the tests that measure RSS growth (test_resources.py and the message
#   test below) run apart with the quarantine off, since ASan keeps freed
#   blocks (256 MB by default) to catch use-after-free, which looks like
#   growth.
RSS_TESTS="tests/test_resources.py tests/test_message.py::test_dropped_messages_are_freed"
rc=0
timeout 1800 "$PYTEST" -q -p no:cacheprovider tests \
    --ignore=tests/test_c_programs.py --ignore=tests/test_resources.py \
    --deselect tests/test_message.py::test_dropped_messages_are_freed || rc=$?
# shellcheck disable=SC2086
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
    timeout 600 "$PYTEST" -q -p no:cacheprovider $RSS_TESTS || rc=$?

unset LD_PRELOAD
if compgen -G "$REPORTS/*" >/dev/null; then
    echo "sanitizer reports:" >&2
    for f in "$REPORTS"/*; do echo "== $f" >&2; head -n 80 "$f" >&2; done
    rc=1
fi
exit $rc
