"""A REQ whose resend is waiting for a busy pipe still takes the reply to
a copy it sent before. Found on a 1 Mbit/s link (tests/netfault): a 1 MiB
request outlasting REQ_RESEND_IVL kept the pipe busy, every reply arrived
while the resend waited and was dropped, and the request completed only
after several whole transfers (libnanomsg: one).

Here a raw SP peer over tcp reads the first copy, then stops reading so
the resent copy fills the buffers, waits past the resend interval, and
answers the first copy.
"""
import socket
import struct
import time

import pytest

import nnpy

pytestmark = pytest.mark.timeout(30)

REP_ID = 0x31
RESEND_MS = 200
SIZE = 1 << 20
SMALL_BUF = 16 * 1024


def read_exact(c: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = c.recv(min(65536, n - len(out)))
        assert chunk, "peer closed after %d of %d bytes" % (len(out), n)
        out += chunk
    return bytes(out)


def test_reply_taken_while_resend_waits_for_the_pipe():
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUF)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(5)
    req = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
    try:
        req.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDBUF, SMALL_BUF)
        req.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 3000)
        req.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 3000)
        req.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, RESEND_MS)
        req.connect("tcp://127.0.0.1:%d" % lsock.getsockname()[1])
        c, _ = lsock.accept()
        with c:
            c.settimeout(5)
            c.sendall(b"\x00SP\x00" + struct.pack(">HH", REP_ID, 0))
            assert read_exact(c, 8)[:4] == b"\x00SP\x00"
            body = bytes(range(256)) * (SIZE // 256)
            req.send(body)
            size = struct.unpack(">Q", read_exact(c, 8))[0]
            assert size == 4 + SIZE
            first = read_exact(c, size)
            assert first[4:] == body and first[0] & 0x80
            # The resent copy cannot get through now: the REQ's resend
            # waits for the pipe, past its interval.
            time.sleep(3 * RESEND_MS / 1000)
            c.sendall(struct.pack(">Q", 4 + 5) + first[:4] + b"reply")
            t0 = time.monotonic()
            assert req.recv() == b"reply"
            assert time.monotonic() - t0 < 1.0
    finally:
        req.close()
        lsock.close()
