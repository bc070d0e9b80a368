"""Helpers for the async tests: event loops to run on, and sockets."""
import asyncio
import importlib
import os
import socket

import pytest

import nnpy

TIMEOUT_MS = 5000


def need(module):
    """Import ``module`` or skip; in CI (``CI`` or NNPY_REQUIRE_REFERENCE
    set) a missing module fails instead."""
    try:
        return importlib.import_module(module)
    except ImportError:
        why = "%s is not installed (pip install '.[test]')" % module
        if os.environ.get("CI") or os.environ.get("NNPY_REQUIRE_REFERENCE"):
            pytest.fail(why + " (required in CI)")
        pytest.skip(why)


def run_asyncio(kind, main, *args):
    """Run ``main(*args)`` on a fresh loop of ``kind``: "asyncio" or "uvloop"."""
    if kind == "uvloop":
        uvloop = need("uvloop")
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(asyncio.wait_for(main(*args), 60))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def address(transport, tmp_path, tag):
    """A fresh address on ``transport`` (ipc files in ``tmp_path``)."""
    if transport == "inproc":
        return "inproc://%s-%d-%d" % (tag, os.getpid(), id(tmp_path))
    if transport == "ipc":
        return "ipc://%s/%s.ipc" % (tmp_path, tag)
    return "tcp://127.0.0.1:%d" % free_port()


def bind_retry(s, where, transport):
    """Bind, asking for another tcp port if someone took this one meanwhile."""
    for _ in range(20):
        try:
            s.bind(where)
            return where
        except nnpy.AddressInUseError:
            if transport != "tcp":
                raise
            where = "tcp://127.0.0.1:%d" % free_port()
    raise AssertionError("no free tcp port")


class Sockets:
    """Makes sockets with 5 s timeouts and closes them all at the end."""

    def __init__(self):
        self.made = []

    def __call__(self, protocol, **kw):
        kw.setdefault("rcvtimeo", TIMEOUT_MS)
        kw.setdefault("sndtimeo", TIMEOUT_MS)
        s = nnpy.Socket(nnpy.AF_SP, protocol)
        for k, v in kw.items():
            setattr(s, k, v)
        self.made.append(s)
        return s

    def pair(self, bproto, cproto, where, transport="inproc", **kw):
        a, b = self(bproto, **kw), self(cproto, **kw)
        b.connect(bind_retry(a, where, transport))
        return a, b

    def close(self):
        for s in self.made:
            s.close()


@pytest.fixture
def socks():
    made = Sockets()
    yield made
    made.close()


def thread_count():
    return len(os.listdir("/proc/self/task"))


def open_fds():
    return len(os.listdir("/proc/self/fd"))
