"""Fixtures for the interop tests: reference peers, nanocat, addresses and
our own sockets, all cleaned up after each test."""
import os
import shutil
import socket
import tempfile
from typing import Callable, List

import pytest

import nnpy

from . import reference
from .driver import Child, RefPeer

TIMEOUT_MS = 5000
TRANSPORTS = ("tcp", "ipc", "ws")
# sun_path is 108 bytes; stay well below for readable failures.
IPC_DIR_MAX = 80


def free_port() -> int:
    """A tcp port nobody listens on right now (nanomsg cannot bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ipc_dir(tmp_path):
    """A directory for ipc socket files, short enough for sun_path."""
    if len(str(tmp_path)) <= IPC_DIR_MAX:
        yield str(tmp_path)
        return
    short = tempfile.mkdtemp(prefix="nnipc")
    yield short
    shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def address(ipc_dir) -> Callable[[str], str]:
    """``address(transport)``: a fresh address on 127.0.0.1 or in ipc_dir."""
    count = [0]

    def make(transport: str) -> str:
        count[0] += 1
        if transport == "ipc":
            return "ipc://%s/s%d.ipc" % (ipc_dir, count[0])
        return "%s://127.0.0.1:%d" % (transport, free_port())
    return make


@pytest.fixture
def reflib() -> str:
    return reference.need(reference.library(), "the reference libnanomsg (%s)" % reference.SONAME)


@pytest.fixture
def nanocat_bin() -> str:
    return reference.need(reference.nanocat(), "nanocat (package nanomsg-utils)")


@pytest.fixture
def refpeer(reflib) -> Callable[..., RefPeer]:
    """``refpeer(type, bind=[...], connect=[...], opts={}, script=[...])``
    starts a reference peer; a binding peer has printed "ready" on return."""
    started: List[RefPeer] = []

    def start(type_: str, bind=(), connect=(), opts=None, script=(), **extra) -> RefPeer:
        cfg = dict(type=type_, bind=list(bind), connect=list(connect),
                   opts=dict(opts or {}), script=list(script), **extra)
        cfg["opts"].setdefault("RCVTIMEO", TIMEOUT_MS)
        cfg["opts"].setdefault("SNDTIMEO", TIMEOUT_MS)
        peer = RefPeer(reflib, cfg)
        started.append(peer)
        peer.ready()
        return peer

    yield start
    for peer in started:
        peer.stop()


@pytest.fixture
def child() -> Callable[..., Child]:
    """``child(argv, name)``: any other process (nanocat, C peer, scripts)."""
    started: List[Child] = []

    def start(argv, name=None) -> Child:
        c = Child([str(a) for a in argv], name or os.path.basename(str(argv[0])))
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def ours() -> Callable[..., nnpy.Socket]:
    """``ours(protocol, **options)``: an nnpy socket with 5 s send/recv
    timeouts (SOL_SOCKET options by name, e.g. RCVMAXSIZE=-1)."""
    made: List[nnpy.Socket] = []

    def make(protocol: int, **options) -> nnpy.Socket:
        s = nnpy.Socket(nnpy.AF_SP, protocol)
        made.append(s)
        options.setdefault("RCVTIMEO", TIMEOUT_MS)
        options.setdefault("SNDTIMEO", TIMEOUT_MS)
        for name, value in options.items():
            s.setsockopt(nnpy.SOL_SOCKET, getattr(nnpy, name), value)
        return s

    yield make
    for s in made:
        s.close()
