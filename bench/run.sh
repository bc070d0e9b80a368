#!/usr/bin/env bash
# Sets up both sides and runs the side-by-side benchmark (bench/compare.py).
#
#   bash bench/run.sh [compare.py options...]      e.g. --rounds 5 --md /tmp/t.md
#
# Set-up (idempotent; SKIP_SETUP=1 skips it):
#   * Debian's libnanomsg 1.1.5 (libnanomsg5, libnanomsg-dev) via apt-get;
#   * $VENV_ORIG (default /tmp/venv-orig): cffi + nnpy==1.4.2 from PyPI,
#     built against that libnanomsg;
#   * $VENV_OURS (default /tmp/venv-ours): this checkout's nnpy, installed
#     from a copy of the tree (an in-tree pip build would write build/ and
#     *.egg-info into the repo), re-installed on every run so the numbers
#     are for the current sources;
#   * bench/c/build: nnbench against our core and against -lnanomsg, and
#     the raw-socket floor (make -C bench/c).
# Both venvs are kept outside the tree; nothing here needs network access
# beyond apt and PyPI.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-python3}"
export VENV_ORIG="${VENV_ORIG:-/tmp/venv-orig}"
export VENV_OURS="${VENV_OURS:-/tmp/venv-ours}"

setup_libnanomsg() {
    if dpkg -s libnanomsg-dev libnanomsg5 >/dev/null 2>&1; then
        return
    fi
    echo "run.sh: installing libnanomsg5 libnanomsg-dev" >&2
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq libnanomsg5 libnanomsg-dev
}

setup_orig() {
    if [ -x "$VENV_ORIG/bin/python" ] &&
       "$VENV_ORIG/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("nnpy") != "1.4.2")' 2>/dev/null; then
        return
    fi
    echo "run.sh: creating $VENV_ORIG with nnpy 1.4.2" >&2
    "$PY" -m venv "$VENV_ORIG"
    timeout 600 "$VENV_ORIG/bin/pip" install -q cffi nnpy==1.4.2
}

setup_ours() {
    if [ ! -x "$VENV_OURS/bin/python" ]; then
        echo "run.sh: creating $VENV_OURS" >&2
        "$PY" -m venv "$VENV_OURS"
    fi
    # pyproject.toml needs setuptools 77 (PEP 639 license); a new venv ships an older one.
    timeout 600 "$VENV_OURS/bin/pip" install -q cffi 'setuptools>=77' wheel 2>&1 | grep -v '^WARNING' || true
    local src
    src="$(mktemp -d /tmp/nnpy-bench-src.XXXXXX)"
    (cd "$ROOT" && tar --exclude=.git --exclude='./build' --exclude='vendor/nanomsg/build' --exclude='vendor/nanomsg/build-*' \
        --exclude='bench/c/build' --exclude='*.so' --exclude='*.egg-info' -cf - .) | tar -C "$src" -xf -
    echo "run.sh: installing our nnpy into $VENV_OURS" >&2
    (cd "$src" && timeout 900 "$VENV_OURS/bin/pip" install -q --no-build-isolation \
        --force-reinstall --no-deps . 2>&1 | grep -v '^WARNING' || true)
    rm -rf "$src"
    # The async cells' contenders (bench extra): zmq.asyncio and pynng.
    timeout 600 "$VENV_OURS/bin/pip" install -q pyzmq pynng sniffio 2>&1 | grep -v '^WARNING' || true
    (cd / && "$VENV_OURS/bin/python" -c 'import nnpy; print("run.sh: ours is", nnpy.__file__)' >&2)
}

if [ "${SKIP_SETUP:-0}" != 1 ]; then
    setup_libnanomsg
    setup_orig
    setup_ours
    make -s -C "$HERE/c" >&2
fi
exec "$PY" "$HERE/compare.py" "$@"
