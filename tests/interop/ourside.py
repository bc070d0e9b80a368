"""Helpers for the nnpy end of an interop test."""
import time

import nnpy

from .payloads import PROBE

TIMEOUT_MS = 5000


def set_rcvtimeo(sock: nnpy.Socket, ms: int):
    sock.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, ms)


def recv_skipping(sock: nnpy.Socket, skip: bytes = PROBE) -> bytes:
    """recv, ignoring probe messages still in flight from the sync phase."""
    while True:
        data = sock.recv()
        if data != skip:
            return data


def sync_by_echo(sock: nnpy.Socket, seconds: float = 5.0, ivl_ms: int = 100):
    """BUS/SURVEYOR/REQ: send the probe until the peer echoes it back,
    which proves the connection is live in both directions."""
    set_rcvtimeo(sock, ivl_ms)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            sock.send(PROBE)
            try:
                if sock.recv() == PROBE:
                    return
            except nnpy.NNError:  # ETIMEDOUT, or EFSM after a survey deadline
                pass
        raise AssertionError("the peer never echoed a probe within %.1f s" % seconds)
    finally:
        set_rcvtimeo(sock, TIMEOUT_MS)


def sync_by_report(sock: nnpy.Socket, peer, seconds: float = 5.0, ivl: float = 0.02):
    """PUB: send the probe until the peer reports ``synced``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sock.send(PROBE)
        line = peer.poll_line(ivl)
        if line == "synced":
            return
        assert line is None, "unexpected line from the peer: %r\n%s" % (line, peer.context())
    raise AssertionError("the peer never saw a probe within %.1f s\n%s"
                         % (seconds, peer.context()))


def errno_of(fn, *args) -> int:
    try:
        fn(*args)
    except nnpy.NNError as e:
        return e.error_no
    raise AssertionError("%s%r did not fail" % (getattr(fn, "__name__", fn), args))
