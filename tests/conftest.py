"""Shared fixtures: sockets that always time out, unique inproc names."""
import itertools
import os

import pytest

import nnpy

from util import TIMEOUT_MS

_names = itertools.count()


@pytest.fixture
def addr():
    """Returns a function giving a fresh inproc address on each call."""
    def make(tag: str = "t") -> str:
        return "inproc://%s-%d-%d" % (tag, os.getpid(), next(_names))
    return make


@pytest.fixture
def sock():
    """``sock(protocol, domain=AF_SP)``: a Socket with 5 s send/recv
    timeouts, closed after the test."""
    made = []

    def make(protocol: int, domain: int = nnpy.AF_SP, timeout: int = TIMEOUT_MS) -> nnpy.Socket:
        s = nnpy.Socket(domain, protocol)
        made.append(s)
        s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, timeout)
        s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, timeout)
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture
def link(sock, addr):
    """``link(bind_proto, connect_proto, ...)``: a bound socket and a socket
    connected to it over inproc (connected once both calls return)."""
    def make(bproto: int, cproto: int, bdomain: int = nnpy.AF_SP,
             cdomain: int = nnpy.AF_SP):
        a, b = sock(bproto, bdomain), sock(cproto, cdomain)
        where = addr()
        a.bind(where)
        b.connect(where)
        return a, b
    return make
