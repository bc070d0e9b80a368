"""Incompatible socket types across the two libraries: the connection is
refused (SP header or ws subprotocol check) and nothing is delivered."""
import pytest

import nnpy

from .conftest import TRANSPORTS
from .ourside import errno_of
from .payloads import spec

pytestmark = pytest.mark.timeout(30)

WAIT_MS = 500


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reference_push_cannot_reach_our_pair(transport, ours, refpeer, address):
    where = address(transport)
    pair = ours(nnpy.PAIR, RCVTIMEO=WAIT_MS)
    pair.bind(where)
    peer = refpeer("PUSH", connect=[where], opts={"SNDTIMEO": WAIT_MS},
                   script=[{"op": "send", "data": [spec(b"x")], "ok": ["ETIMEDOUT"]}])
    assert errno_of(pair.recv) == nnpy.ETIMEDOUT
    assert peer.expect("err")[:2] == ["send", "ETIMEDOUT"]
    peer.finish()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_our_push_cannot_reach_reference_pair(transport, ours, refpeer, address):
    where = address(transport)
    peer = refpeer("PAIR", bind=[where], opts={"RCVTIMEO": WAIT_MS},
                   script=[{"op": "recv", "ok": ["ETIMEDOUT"]}])
    push = ours(nnpy.PUSH, SNDTIMEO=WAIT_MS)
    push.connect(where)
    assert errno_of(push.send, b"x") == nnpy.ETIMEDOUT
    assert peer.expect("err")[:2] == ["recv", "ETIMEDOUT"]
    peer.finish()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_our_pull_hears_nothing_from_reference_pub(transport, ours, refpeer, address):
    """PUB never blocks, so the reference PUB sends away; a PULL is not its
    peer type, so none of it may arrive."""
    where = address(transport)
    pull = ours(nnpy.PULL, RCVTIMEO=WAIT_MS)
    pull.bind(where)
    peer = refpeer("PUB", connect=[where],
                   script=[{"op": "send", "data": [spec(b"x")] * 5, "delay_ms": 50}])
    assert errno_of(pull.recv) == nnpy.ETIMEDOUT
    peer.finish()
