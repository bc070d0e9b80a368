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


# -- raw messages: SP headers travel in control data (API.md §4.15/4.16) -----

PROTO_SP = 1
SP_HDR = 1


def recvmsg(s, flags=0):
    """nn_recvmsg with NN_MSG body and control: returns (body, sp_header)."""
    body = ffi.new("void **")
    ctrl = ffi.new("void **")
    iov = ffi.new("struct nn_iovec *")
    iov.iov_base = body
    iov.iov_len = lib.NN_MSG
    hdr = ffi.new("struct nn_msghdr *")
    hdr.msg_iov = iov
    hdr.msg_iovlen = 1
    hdr.msg_control = ctrl
    hdr.msg_controllen = lib.NN_MSG
    n = lib.nn_recvmsg(s.sock if hasattr(s, "sock") else s, hdr, flags)
    if n < 0:
        raise nnpy.errors.error_for(lib.nn_errno())
    data = ffi.unpack(ffi.cast("char *", body[0]), n)
    lib.nn_freemsg(body[0])
    header = None
    cmsg = lib.NN_CMSG_FIRSTHDR(hdr)
    while cmsg != ffi.NULL:
        if cmsg.cmsg_level == PROTO_SP and cmsg.cmsg_type == SP_HDR:
            p = lib.NN_CMSG_DATA(cmsg)
            size = ffi.cast("size_t *", p)[0]
            header = ffi.unpack(ffi.cast("char *", p) + ffi.sizeof("size_t"), size)
            break
        cmsg = lib.NN_CMSG_NXTHDR(hdr, cmsg)
    lib.nn_freemsg(ctrl[0])
    return data, header


def sendmsg(s, body, header=None, flags=0):
    """nn_sendmsg of ``body`` with an optional SP header; returns the size."""
    iov = ffi.new("struct nn_iovec *")
    buf = ffi.from_buffer(body)
    iov.iov_base = buf
    iov.iov_len = len(body)
    hdr = ffi.new("struct nn_msghdr *")
    hdr.msg_iov = iov
    hdr.msg_iovlen = 1
    if header is not None:
        n = ffi.sizeof("size_t") + len(header)
        space = lib.NN_CMSG_SPACE(n)
        ctrl = ffi.new("char[]", space)
        hdr.msg_control = ctrl
        hdr.msg_controllen = space
        cmsg = lib.NN_CMSG_FIRSTHDR(hdr)
        cmsg.cmsg_len = lib.NN_CMSG_LEN(n)
        cmsg.cmsg_level = PROTO_SP
        cmsg.cmsg_type = SP_HDR
        p = lib.NN_CMSG_DATA(cmsg)
        ffi.cast("size_t *", p)[0] = len(header)
        ffi.memmove(ffi.cast("char *", p) + ffi.sizeof("size_t"), header, len(header))
    rc = lib.nn_sendmsg(s.sock if hasattr(s, "sock") else s, hdr, flags)
    if rc < 0:
        raise nnpy.errors.error_for(lib.nn_errno())
    return rc


def device_thread(s1, s2):
    """Start nn_device(s1, s2) in a thread; result 'value' = (rc, errno)."""
    def run():
        rc = lib.nn_device(s1 if isinstance(s1, int) else s1.sock,
                           s2 if isinstance(s2, int) else s2.sock)
        return rc, lib.nn_errno()
    return in_thread(run)
