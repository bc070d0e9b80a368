"""nnpy.Message (zero-copy receive), recv_into, send(Message), and their
async counterparts."""
import array
import asyncio
import gc
import os

import pytest

import nnpy
from async_util import need, run_asyncio


def test_recv_msg_reads_in_place(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"hello world")
    msg = b.recv_msg()
    assert isinstance(msg, nnpy.Message)
    assert len(msg) == 11
    view = memoryview(msg)
    assert view.readonly and view.format == "B" and view.shape == (11,)
    assert view[:5] == b"hello"
    assert bytes(msg) == b"hello world"          # a copy
    with pytest.raises(TypeError):
        view[0] = 1                                # received messages are read-only
    view.release()
    msg.release()
    assert msg.released


def test_released_message_refuses_use(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"x")
    msg = b.recv_msg()
    msg.release()
    msg.release()                                  # twice is fine
    for use in (memoryview, bytes, len, lambda m: a.send(m)):
        with pytest.raises(ValueError):
            use(msg)
    assert "released" in repr(msg)


def test_release_waits_for_live_views(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"still readable")
    with b.recv_msg() as msg:
        view = memoryview(msg)
    assert msg.released
    assert view.tobytes() == b"still readable"     # memory lives until the view ends
    view.release()


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_dropped_messages_are_freed(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    big = b"m" * (1 << 20)
    for _ in range(5):                             # warm up the core's caches
        a.send(big)
        b.recv_msg()
    before = _rss_bytes()
    for i in range(150):                           # 150 MiB if nothing were freed
        a.send(big)
        msg = b.recv_msg()
        if i % 3 == 0:
            msg.release()
        elif i % 3 == 1:
            with msg:
                pass
        del msg                                    # the rest: freed by the collector
    gc.collect()
    assert _rss_bytes() - before < 40 << 20


def test_send_message_consumes_it(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    msg = nnpy.Message(6)
    memoryview(msg)[:] = b"zc-out"
    assert a.send(msg) == 6
    assert msg.released
    assert b.recv() == b"zc-out"
    # A received message is forwarded as it is.
    a.send(b"bounce")
    fwd = b.recv_msg()
    assert b.send(fwd) == 6 and fwd.released
    assert a.recv() == b"bounce"


def test_send_message_with_live_view_copies(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    msg = nnpy.Message(3)
    view = memoryview(msg)
    view[:] = b"abc"
    assert a.send(msg) == 3
    assert msg.released
    assert view.tobytes() == b"abc"                # our memory was not given away
    view.release()
    assert b.recv() == b"abc"


def test_failed_send_keeps_message(sock):
    s = sock(nnpy.PUSH)
    msg = nnpy.Message(4)
    with pytest.raises(nnpy.WouldBlockError):
        s.send(msg, nnpy.DONTWAIT)
    assert not msg.released and len(msg) == 4


def test_message_size_checks():
    with pytest.raises(ValueError):
        nnpy.Message(-1)
    empty = nnpy.Message(0)
    assert len(empty) == 0 and bytes(empty) == b""


def test_recv_into(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    buf = bytearray(8)
    a.send(b"12345")
    assert b.recv_into(buf) == 5
    assert buf[:5] == b"12345"
    a.send(b"0123456789abc")
    assert b.recv_into(buf) == 13                  # truncated: the full size is returned
    assert buf == b"01234567"
    arr = array.array("B", bytes(4))
    a.send(b"\x01\x02")
    assert b.recv_into(memoryview(arr)[1:]) == 2
    assert arr.tolist() == [0, 1, 2, 0]
    with pytest.raises(TypeError):
        b.recv_into(b"read-only")
    with pytest.raises(nnpy.WouldBlockError) as info:
        b.recv_into(buf, nnpy.DONTWAIT)
    assert "recv_into" in str(info.value)


@pytest.mark.parametrize("backend", ["asyncio", "uvloop", "trio"])
def test_async_counterparts(backend, link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    buf = bytearray(16)

    async def main():
        later(0.02, a.send, b"msg")
        msg = await b.arecv_msg()
        assert bytes(msg) == b"msg"
        later(0.02, a.send, b"into")
        assert await b.arecv_into(buf) == 4 and buf[:4] == b"into"
        out = nnpy.Message(2)
        memoryview(out)[:] = b"ok"
        assert await a.asend(out) == 2 and out.released
        assert await b.arecv() == b"ok"
        assert await b.asend(msg) == 3             # forwarded, zero-copy
        assert await a.arecv() == b"msg"

    if backend == "trio":
        trio = need("trio")

        def later(delay, fn, *args):
            import threading
            threading.Timer(delay, fn, args).start()
        trio.run(main)
    else:
        def later(delay, fn, *args):
            asyncio.get_running_loop().call_later(delay, fn, *args)
        run_asyncio(backend, main)
