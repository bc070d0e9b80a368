"""No leaks over many socket lifetimes; many sockets at once."""
import gc
import os
import resource

import pytest

import nnpy


def _fds():
    return len(os.listdir("/proc/self/fd"))


def _rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def _cycle(addr, i):
    where = addr()
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    b.rcvtimeo = 5000
    a.bind(where)
    b.connect(where)
    a.send(b"m%d" % i)
    assert b.recv() == b"m%d" % i
    a.rcvfd, b.sndfd       # ask for the readiness fds too
    a.close()
    b.close()


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")


@pytest.fixture(autouse=True)
def library_running():
    """Keep one socket open so the core's own fds (I/O thread, wake-ups),
    made on first use, are in every baseline."""
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    yield
    s.close()


def test_no_fd_or_memory_growth(addr):
    for i in range(300):               # warm up allocator pools
        _cycle(addr, i)
    gc.collect()
    fds, rss = _fds(), _rss_kib()
    for i in range(3000):
        _cycle(addr, i)
    gc.collect()
    assert _fds() == fds
    grown = _rss_kib() - rss
    assert grown < 8 * 1024, "RSS grew by %d KiB over 3000 socket pairs" % grown


def test_garbage_collected_sockets_are_closed(addr):
    fds = _fds()
    for _ in range(500):
        s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
        s.rcvfd
        del s                           # no close(): __del__ does it
    gc.collect()
    assert _fds() == fds


def test_unread_messages_are_freed(addr):
    payload = b"x" * 10000
    for i in range(50):
        _queue_and_drop(addr, payload)
    gc.collect()
    rss = _rss_kib()
    for i in range(500):
        _queue_and_drop(addr, payload)
    gc.collect()
    grown = _rss_kib() - rss
    assert grown < 8 * 1024, "RSS grew by %d KiB: queued messages leak on close" % grown


def _queue_and_drop(addr, payload):
    where = addr()
    a, b = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH), nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
    b.bind(where)
    a.connect(where)
    for _ in range(10):
        a.send(payload)
    a.close()
    b.close()


def test_twenty_thousand_sockets_without_fds():
    fds = _fds()
    socks = []
    try:
        for _ in range(20000):
            socks.append(nnpy.Socket(nnpy.AF_SP, nnpy.PAIR))
        assert len({s.sock for s in socks}) == 20000
        assert _fds() - fds < 100          # no fd per socket until SNDFD/RCVFD
    finally:
        for s in socks:
            s.close()
    assert _fds() == fds


def test_many_connected_pairs(addr):
    pairs = []
    try:
        for i in range(2000):
            where = addr()
            a, b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR), nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
            pairs.append((a, b))
            a.bind(where)
            b.connect(where)
        for i, (a, b) in enumerate(pairs):
            a.send(b"%d" % i)
        for i, (a, b) in enumerate(pairs):
            assert b.recv(nnpy.DONTWAIT) == b"%d" % i
    finally:
        for a, b in pairs:
            a.close()
            b.close()


def test_handles_are_reused_lifo():
    a, b, c = (nnpy.Socket(nnpy.AF_SP, nnpy.PAIR) for _ in range(3))
    nb, na = b.sock, a.sock
    b.close()
    a.close()
    d, e = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR), nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    assert (d.sock, e.sock) == (na, nb)
    for s in (c, d, e):
        s.close()
