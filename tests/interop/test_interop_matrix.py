"""Every protocol pair x {tcp, ipc, ws} x {we bind, they bind} against the
real libnanomsg: an empty message, binary with NUL bytes and 1 MiB, in both
directions where the protocol allows.

RCVMAXSIZE is -1 on both ends: 1 MiB plus an SP header is over the
default limit, which counts the header.
"""
import pytest

import nnpy

from .conftest import TRANSPORTS
from .ourside import recv_skipping, sync_by_echo, sync_by_report
from .payloads import PROBE, STANDARD, describe, spec

pytestmark = pytest.mark.timeout(60)

DATA = [spec(p) for p in STANDARD]
SKIP = spec(PROBE)
UNLIMITED = {"RCVMAXSIZE": -1}


# For each socket type on our side: the reference peer's options and script,
# and how our side drives the exchange. Every drive checks what we received
# and what the peer reports it received.

def drive_echoed(sock, peer, sync=False):
    """PAIR, BUS, REQ: we send, the peer reports and echoes it back."""
    if sync:
        sync_by_echo(sock)
    for p in STANDARD:
        sock.send(p)
        got = recv_skipping(sock)
        assert peer.message() == describe(p)
        assert describe(got) == describe(p)


def drive_answer(sock, peer):
    """REP, RESPONDENT: the peer asks, we answer with what we got."""
    for p in STANDARD:
        got = recv_skipping(sock)
        assert describe(got) == describe(p)
        sock.send(got)
        assert peer.message() == describe(p)


def drive_respondent(sock, peer):
    """The reference surveyor probes until one answer comes back; we answer
    probes as they come, then the real surveys."""
    pending = list(STANDARD)
    while pending:
        got = sock.recv()
        if got != PROBE:
            assert describe(got) == describe(pending.pop(0))
        sock.send(got)
    for p in STANDARD:
        assert peer.message() == describe(p)


def drive_pub(sock, peer):
    sync_by_report(sock, peer)
    for p in STANDARD:
        # One at a time: PUB drops a message when the pipe is still busy.
        sock.send(p)
        assert peer.message() == describe(p)


def drive_sub(sock, peer):
    assert sock.recv() == PROBE
    peer.tell("stop probing")
    peer.expect("synced")
    for p in STANDARD:
        peer.tell("next")
        assert describe(recv_skipping(sock)) == describe(p)


def drive_push(sock, peer):
    for p in STANDARD:
        sock.send(p)
    for p in STANDARD:
        assert peer.message() == describe(p)


def drive_pull(sock, peer):
    for p in STANDARD:
        assert describe(sock.recv()) == describe(p)


ROLES = {
    # ours: (their type, their extra options, their script, our drive)
    "PAIR": ("PAIR", {}, [{"op": "echo", "count": 3}], drive_echoed),
    "BUS": ("BUS", {}, [{"op": "echo", "count": 3, "skip": SKIP}],
            lambda s, p: drive_echoed(s, p, sync=True)),
    "REQ": ("REP", {}, [{"op": "echo", "count": 3}], drive_echoed),
    "REP": ("REQ", {}, [{"op": "request", "data": DATA}], drive_answer),
    "PUB": ("SUB", {"SUB_SUBSCRIBE": ""},
            [{"op": "await"}, {"op": "recv", "count": 3, "skip": SKIP}], drive_pub),
    "SUB": ("PUB", {}, [{"op": "probe_until_line"},
                        {"op": "send", "data": DATA, "lockstep": True}], drive_sub),
    "PUSH": ("PULL", {}, [{"op": "recv", "count": 3}], drive_push),
    "PULL": ("PUSH", {}, [{"op": "send", "data": DATA}], drive_pull),
    "SURVEYOR": ("RESPONDENT", {}, [{"op": "echo", "count": 3, "skip": SKIP}],
                 lambda s, p: drive_echoed(s, p, sync=True)),
    "RESPONDENT": ("SURVEYOR", {"SURVEYOR_DEADLINE": 5000},
                   [{"op": "probe_until_reply"}, {"op": "request", "data": DATA}],
                   drive_respondent),
}


def our_socket(ours, mine):
    sock = ours(getattr(nnpy, mine), **UNLIMITED)
    if mine == "SUB":
        sock.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, "")
    if mine == "SURVEYOR":
        sock.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 5000)
    return sock


@pytest.mark.parametrize("we_bind", [True, False], ids=["we_bind", "they_bind"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mine", list(ROLES))
def test_exchange(mine, transport, we_bind, ours, refpeer, address):
    theirs, opts, script, drive = ROLES[mine]
    where = address(transport)
    sock = our_socket(ours, mine)
    if we_bind:
        sock.bind(where)
    peer = refpeer(theirs, bind=[] if we_bind else [where],
                   connect=[where] if we_bind else [], opts=dict(UNLIMITED, **opts),
                   script=script)
    if not we_bind:
        sock.connect(where)
    drive(sock, peer)
    peer.finish()
