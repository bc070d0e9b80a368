"""PAIR: one peer at a time, both directions."""
import nnpy
from util import SHORT_MS, errno_of, wait_for


def test_both_directions(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    for i in range(10):
        a.send(b"a%d" % i)
        b.send(b"b%d" % i)
    assert [b.recv() for _ in range(10)] == [b"a%d" % i for i in range(10)]
    assert [a.recv() for _ in range(10)] == [b"b%d" % i for i in range(10)]


def test_connect_before_bind(sock, addr):
    where = addr()
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR)
    b.connect(where)
    a.bind(where)
    b.send(b"early")
    assert a.recv() == b"early"


def test_second_peer_is_refused(link, sock, addr):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    third = sock(nnpy.PAIR, timeout=SHORT_MS)
    # a is bound; find its address through a second bind of a fresh name
    where = addr()
    a.bind(where)
    third.connect(where)
    assert errno_of(third.send, b"x") == nnpy.ETIMEDOUT
    b.send(b"first peer still works")
    assert a.recv() == b"first peer still works"


def test_send_blocks_without_peer(sock):
    s = sock(nnpy.PAIR, timeout=SHORT_MS)
    assert errno_of(s.send, b"x") == nnpy.ETIMEDOUT
    assert errno_of(s.send, b"x", nnpy.DONTWAIT) == nnpy.EAGAIN


def test_empty_and_large_messages(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    big = bytes(range(256)) * 4096   # 1 MiB
    assert a.send(b"") == 0
    assert b.recv() == b""
    assert a.send(big) == len(big)
    assert b.recv() == big


def test_shutdown_removes_endpoint(sock, addr):
    where = addr()
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR, timeout=SHORT_MS)
    a.bind(where)
    eid = b.connect(where)
    b.send(b"1")
    assert a.recv() == b"1"
    b.shutdown(eid)
    # nn_shutdown tears the endpoint down asynchronously
    wait_for(lambda: b.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) == 0)
    assert errno_of(b.send, b"2") == nnpy.ETIMEDOUT
    # the name is free for the peer to come back on a new endpoint
    assert b.connect(where) == eid + 1
    b.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 5000)
    b.send(b"3")
    assert a.recv() == b"3"

