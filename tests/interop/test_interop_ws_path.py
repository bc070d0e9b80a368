"""ws paths against the real libnanomsg, both directions.

libnanomsg 1.1.5 (observed): nn_bind with any path, even "/" or a bare
"?query", fails EINVAL; its server answers any request target; a second
bind on the same port fails EADDRINUSE. Its client sends the resource
(path and query) verbatim, "/" when the address has none. We bind paths
and serve the bound one alone.
"""
import pytest

import nnpy

from .conftest import free_port
from .driver import RefPeer
from .ourside import errno_of
from .payloads import describe

pytestmark = pytest.mark.timeout(60)


def test_reference_client_reaches_our_bound_path(ours, refpeer):
    port = free_port()
    rep = ours(nnpy.REP)
    rep.bind("ws://127.0.0.1:%d/svc/a" % port)
    peer = refpeer("REQ", connect=["ws://127.0.0.1:%d/svc/a?v=1" % port],
                   script=[{"op": "request", "data": ["hex:6869"]}])
    assert rep.recv() == b"hi"
    rep.send(b"hi")
    assert peer.message() == describe(b"hi")
    peer.finish()


def test_reference_client_on_another_path_never_connects(ours, refpeer):
    port = free_port()
    pull = ours(nnpy.PULL, RCVTIMEO=1000)
    pull.bind("ws://127.0.0.1:%d/a" % port)
    peer = refpeer("PUSH", connect=["ws://127.0.0.1:%d/b" % port],
                   opts={"SNDTIMEO": 800},
                   script=[{"op": "send", "data": ["hex:78"], "ok": ["ETIMEDOUT"]}])
    words = peer.expect("err")
    assert words[:2] == ["send", "ETIMEDOUT"], words
    assert errno_of(pull.recv) == nnpy.ETIMEDOUT
    peer.finish()


def test_our_client_path_reaches_reference_server(ours, refpeer):
    """The reference server ignores the target, so any path of ours works."""
    port = free_port()
    peer = refpeer("REP", bind=["ws://127.0.0.1:%d" % port], script=[{"op": "echo"}])
    req = ours(nnpy.REQ)
    req.connect("ws://127.0.0.1:%d/any/path?x=1" % port)
    req.send(b"q")
    assert req.recv() == b"q"
    assert peer.message() == describe(b"q")
    peer.finish()


@pytest.mark.parametrize("suffix", ["/path", "/", "?x=1"])
def test_reference_refuses_a_bind_path(reflib, suffix):
    """The fact we differ from: libnanomsg cannot bind any path."""
    peer = RefPeer(reflib, dict(type="PAIR", bind=["ws://127.0.0.1:%d%s" % (free_port(), suffix)],
                                connect=[], opts={}, script=[]))
    try:
        assert peer.expect("err")[:2] == ["bind", "EINVAL"]
    finally:
        peer.stop()


def test_reference_second_bind_on_a_port_is_in_use(reflib):
    port = free_port()
    peer = RefPeer(reflib, dict(type="PAIR", bind=["ws://127.0.0.1:%d" % port] * 2,
                                connect=[], opts={}, script=[]))
    try:
        assert peer.expect("err")[:2] == ["bind", "EADDRINUSE"]
    finally:
        peer.stop()
