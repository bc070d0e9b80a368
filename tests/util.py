"""Helpers shared by the tests (imported as a plain module)."""
import os
import subprocess
import sys
import threading

import pytest

import nnpy

TIMEOUT_MS = 5000      # default send/recv timeout of test sockets
SHORT_MS = 100         # for calls that are expected to time out
lib = nnpy.nanomsg
ffi = nnpy.ffi


def errno_of(fn, *args):
    """Call ``fn``; it must raise NNError. Returns the errno."""
    with pytest.raises(nnpy.NNError) as info:
        fn(*args)
    return info.value.error_no


def c_errno(rc, fail=-1):
    """After a raw ``lib.nn_*`` call returning ``rc``: assert it failed and
    return the errno (read at once, in this thread)."""
    err = lib.nn_errno()
    assert rc == fail, "expected failure, call returned %r" % (rc,)
    return err


def require(condition, why):
    """Skip when ``condition`` is false, but fail in CI runs that promise the
    tool is there (NNPY_REQUIRE_REFERENCE=1)."""
    if not condition:
        if os.environ.get("NNPY_REQUIRE_REFERENCE"):
            pytest.fail(why + " (required: NNPY_REQUIRE_REFERENCE is set)")
        pytest.skip(why)


def in_thread(fn, *args):
    """Run ``fn(*args)`` in a daemon thread. Returns (thread, result dict):
    result gets 'value' or 'error' when it ends."""
    result = {}

    def run():
        try:
            result["value"] = fn(*args)
        except BaseException as e:  # noqa: B902 - reported to the test
            result["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def run_python(code, timeout=30, **kw):
    """Run ``code`` in a fresh interpreter, outside the source tree (so the
    installed nnpy is imported, not ./nnpy)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=timeout, cwd=kw.pop("cwd", "/"), **kw)


def drain(s):
    """Receive everything immediately available on ``s``."""
    out = []
    while True:
        try:
            out.append(s.recv(nnpy.DONTWAIT))
        except nnpy.WouldBlockError:
            return out


# Socket types: (protocol, can send, can receive)
TYPES = {
    "PAIR": nnpy.PAIR, "PUB": nnpy.PUB, "SUB": nnpy.SUB, "REQ": nnpy.REQ,
    "REP": nnpy.REP, "PUSH": nnpy.PUSH, "PULL": nnpy.PULL,
    "SURVEYOR": nnpy.SURVEYOR, "RESPONDENT": nnpy.RESPONDENT, "BUS": nnpy.BUS,
}


def wait_for(predicate, timeout=2.0, step=0.005):
    """Poll ``predicate`` until true or ``timeout`` s pass; returns its last value."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)
