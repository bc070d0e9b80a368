"""The Socket class: data types, life cycle, statistics, nnpy 1.x behaviour."""
import array
import gc
import weakref

import pytest

import nnpy
from util import errno_of, run_python


@pytest.fixture
def pair(link):
    return link(nnpy.PAIR, nnpy.PAIR)


def test_send_returns_byte_count_and_recv_bytes(pair):
    a, b = pair
    assert a.send(b"abc") == 3
    data = b.recv()
    assert type(data) is bytes and data == b"abc"


@pytest.mark.parametrize("data, expected", [
    (bytearray(b"bytearray"), b"bytearray"),
    (memoryview(b"memoryview"), b"memoryview"),
    (memoryview(b"0123456789")[2:5], b"234"),
    (array.array("B", [1, 2, 3]), b"\x01\x02\x03"),
    ("text é", "text é".encode("utf-8")),
    ("", b""),
])
def test_send_accepts(pair, data, expected):
    a, b = pair
    assert a.send(data) == len(expected)
    assert b.recv() == expected


def test_send_counts_bytes_of_wide_items(pair):
    a, b = pair
    ints = array.array("i", [1, 2, 3])
    assert a.send(ints) == 3 * ints.itemsize
    assert b.recv() == ints.tobytes()
    view = memoryview(ints)
    assert a.send(view) == 3 * ints.itemsize
    assert b.recv() == ints.tobytes()
    matrix = memoryview(bytearray(range(12))).cast("B", (3, 4))
    assert a.send(matrix) == 12
    assert b.recv() == bytes(range(12))


def test_send_non_contiguous_view(pair):
    a, b = pair
    strided = memoryview(b"a-b-c-d")[::2]
    assert a.send(strided) == 4
    assert b.recv() == b"abcd"
    ints = array.array("h", [1, 2, 3, 4])
    every_other = memoryview(ints)[::2]
    assert a.send(every_other) == 4
    assert b.recv() == array.array("h", [1, 3]).tobytes()


@pytest.mark.parametrize("bad", [None, 5, 1.0, object(), ["x"]])
def test_send_rejects_non_buffers(pair, bad):
    with pytest.raises(TypeError):
        pair[0].send(bad)


def test_bytearray_not_locked_after_send(pair):
    a, b = pair
    buf = bytearray(b"grow me")
    a.send(buf)
    buf.extend(b" later")          # the export was released
    assert b.recv() == b"grow me"


def test_close_is_idempotent():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    assert not s.closed
    s.close()
    s.close()
    assert s.closed and s.sock == -1


def test_closed_socket_number_is_not_reused_by_old_object(addr):
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    a.close()
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)   # likely gets a's old number
    try:
        assert errno_of(a.send, b"x", nnpy.DONTWAIT) == nnpy.EBADF
        with pytest.raises(nnpy.BadSocketError):
            a.bind(addr())
    finally:
        b.close()


def test_context_manager(addr):
    with nnpy.Socket(nnpy.AF_SP, nnpy.PAIR) as s:
        assert isinstance(s, nnpy.Socket)
        s.bind(addr())
    assert s.closed
    with pytest.raises(RuntimeError):
        with nnpy.Socket(nnpy.AF_SP, nnpy.PAIR) as t:
            raise RuntimeError("boom")
    assert t.closed


def test_garbage_collection_closes():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    number = s.sock
    ref = weakref.ref(s)
    del s
    gc.collect()
    assert ref() is None
    rc = nnpy.nanomsg.nn_close(number)
    # closed by __del__ (or reused by nobody): closing it again is EBADF
    assert rc == -1 and nnpy.nanomsg.nn_errno() == nnpy.EBADF


def test_open_sockets_at_exit_are_fine():
    code = ("import nnpy\n"
            "keep = [nnpy.Socket(nnpy.AF_SP, p) for p in (nnpy.PAIR, nnpy.PUB, nnpy.SUB)]\n"
            "keep[0].bind('inproc://exit'); keep[0].rcvfd\n"
            "print('bye')\n")
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "bye"
    assert r.stderr == ""


def test_socket_failure_leaves_no_half_object():
    with pytest.raises(nnpy.NNError):
        nnpy.Socket(99, nnpy.PAIR)
    gc.collect()   # __del__ of the failed object must be quiet


def test_repr():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    assert repr(s) == "<nnpy.Socket sock=%d>" % s.sock
    s.close()
    assert "closed" in repr(s)


def test_subclassing_and_attributes(addr):
    class Named(nnpy.Socket):
        def __init__(self, label):
            super().__init__(nnpy.AF_SP, nnpy.PAIR)
            self.label = label

    s = Named("x")
    s.extra = 1
    assert s.label == "x"
    s.close()


def test_statistics(pair):
    a, b = pair
    a.send(b"12345")
    b.recv()
    assert a.get_statistic(nnpy.STAT_MESSAGES_SENT) == 1
    assert a.get_statistic(nnpy.STAT_BYTES_SENT) == 5
    assert b.get_statistic(nnpy.STAT_MESSAGES_RECEIVED) == 1
    assert b.get_statistic(nnpy.STAT_BYTES_RECEIVED) == 5
    assert a.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) == 1
    assert b.get_statistic(nnpy.STAT_ESTABLISHED_CONNECTIONS) == 1
    for stat in (nnpy.STAT_DROPPED_CONNECTIONS, nnpy.STAT_BROKEN_CONNECTIONS,
                 nnpy.STAT_CONNECT_ERRORS, nnpy.STAT_BIND_ERRORS, nnpy.STAT_ACCEPT_ERRORS,
                 nnpy.STAT_INPROGRESS_CONNECTIONS, nnpy.STAT_CURRENT_EP_ERRORS,
                 nnpy.STAT_CURRENT_SND_PRIORITY):
        assert a.get_statistic(stat) == 0, stat


def test_inproc_connection_statistics(sock, addr):
    # As libnanomsg 1.1.5 counts inproc links: established on the connector
    # only; nothing accepted, dropped or broken on either side.
    binder, connector = sock(nnpy.PAIR), sock(nnpy.PAIR)
    where = addr()
    binder.bind(where)
    connector.connect(where)
    assert connector.get_statistic(nnpy.STAT_ESTABLISHED_CONNECTIONS) == 1
    assert binder.get_statistic(nnpy.STAT_ESTABLISHED_CONNECTIONS) == 0
    assert binder.get_statistic(nnpy.STAT_ACCEPTED_CONNECTIONS) == 0
    assert binder.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) == 1
    connector.close()
    assert binder.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) == 0
    for stat in (nnpy.STAT_DROPPED_CONNECTIONS, nnpy.STAT_BROKEN_CONNECTIONS):
        assert binder.get_statistic(stat) == 0


def test_setsockopt_value_kinds(pair):
    a, _ = pair
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.SOCKET_NAME, "str")
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.SOCKET_NAME, b"bytes")
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.SOCKET_NAME, bytearray(b"ba"))
    assert a.name == "ba"
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.SOCKET_NAME, memoryview(b"mv"))
    assert a.name == "mv"


def test_bind_connect_accept_bytes_addresses(sock, addr):
    where = addr()
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR)
    assert a.bind(where.encode()) == 1
    assert b.connect(where.encode()) == 1
    with pytest.raises(TypeError):
        a.bind(5)


def test_recv_truncation_free_large_message(pair):
    a, b = pair
    big = bytes(5 * 1024 * 1024)
    a.send(big)
    assert b.recv() == big


def test_dontwait_flag(pair):
    a, b = pair
    with pytest.raises(BlockingIOError):
        b.recv(nnpy.DONTWAIT)
    a.send(b"now", nnpy.DONTWAIT)
    assert b.recv(nnpy.DONTWAIT) == b"now"
