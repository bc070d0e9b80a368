"""How asyncio waits end: no task is woken for readiness that is gone, a
waiting task made ready by another task of its loop is woken without a
round through the loop's poll, and one timer serves the send/receive
timeouts of all waits on a socket."""
import asyncio
import time

import pytest

import nnpy
import nnpy._async as _async
from async_util import run_asyncio, socks  # noqa: F401

LOOPS = ["asyncio", "uvloop"]


@pytest.fixture(params=LOOPS)
def run(request):
    return lambda main, *args: run_asyncio(request.param, main, *args)


@pytest.fixture
def count_waits(monkeypatch):
    waits = []
    real = _async._wait_asyncio

    async def counting(loop, watch, timeout):
        waits.append(watch)
        return await real(loop, watch, timeout)
    monkeypatch.setattr(_async, "_wait_asyncio", counting)
    return waits


def test_every_wake_finds_the_socket_ready(run, socks, addr, count_waits):
    # 64 KiB messages fill the 128 KiB buffer in two: sender and receiver
    # (tasks of one loop) wait in turn. A wake for readiness that is gone
    # would cost a failed attempt and a second wait.
    pull, push = socks.pair(nnpy.PULL, nnpy.PUSH, addr())
    n = 400
    body = b"m" * 65536

    async def main():
        async def sender():
            for i in range(n):
                await push.asend(i.to_bytes(4, "big") + body)
        task = asyncio.ensure_future(sender())
        got = [int.from_bytes((await pull.arecv())[:4], "big") for _ in range(n)]
        await task
        assert got == list(range(n))
    run(main)
    # One wait per message at most (both ends together), none wasted.
    assert len(count_waits) <= n + 2


def test_waiter_made_ready_in_the_loop_runs_without_another_poll(socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())
    c = socks(nnpy.PULL, rcvtimeo=200)
    c.bind(addr())
    polls = []

    async def main():
        loop = asyncio.get_running_loop()
        real = loop._selector.select

        def select(timeout=None):
            polls.append(("poll",))
            return real(timeout)
        loop._selector.select = select

        async def receiver():
            msg = await b.arecv()
            polls.append(("got", msg))
        task = asyncio.ensure_future(receiver())
        await asyncio.sleep(0.02)               # the receiver waits
        polls.clear()
        a.send(b"hi")
        # This task now waits too: before it gives the loop back it wakes
        # the receiver, whose socket it finds ready.
        with pytest.raises(nnpy.TimedOutError):
            await c.arecv()
        await task
    run_asyncio("asyncio", main)
    assert polls.index(("got", b"hi")) == 1, polls


def test_task_woken_by_another_task_and_cancelled_leaves_the_message(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())
    c = socks(nnpy.PULL)
    c.bind(addr())

    async def main():
        receiver = asyncio.ensure_future(b.arecv())
        await asyncio.sleep(0.02)
        a.send(b"kept")
        other = asyncio.ensure_future(c.arecv())
        await asyncio.sleep(0)          # `other` waits: wakes the receiver
        receiver.cancel()               # woken, not yet run
        with pytest.raises(asyncio.CancelledError):
            await receiver
        assert await b.arecv() == b"kept"
        other.cancel()
        with pytest.raises(asyncio.CancelledError):
            await other
    run(main)


def test_waits_with_different_timeouts_on_one_socket(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=1500)

    async def main():
        t0 = time.monotonic()
        long = asyncio.ensure_future(b.arecv())         # 1.5 s
        await asyncio.sleep(0.01)
        b.rcvtimeo = 150
        with pytest.raises(nnpy.TimedOutError) as info:
            await b.arecv()                             # expires first
        assert 0.14 <= time.monotonic() - t0 < 1.2
        assert str(info.value) == "arecv: timed out after 150 ms (RCVTIMEO)"
        assert not long.done()
        b.rcvtimeo = 100
        t1 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError):
            await b.arecv()                             # the timer armed again
        assert 0.09 <= time.monotonic() - t1 < 1.2
        assert not long.done()
        a.send(b"for the long one")
        assert await long == b"for the long one"
        b.rcvtimeo = 200
        t2 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError):
            await b.arecv()
        assert 0.19 <= time.monotonic() - t2 < 2.0
    run(main)


def test_timeout_expires_once_the_earlier_deadline_is_gone(run, socks, addr):
    # The timer armed for the first wait's deadline outlives it; a later,
    # longer wait still ends at its own deadline, not at the stale one.
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=100)

    async def main():
        early = asyncio.ensure_future(b.arecv())
        await asyncio.sleep(0.01)
        a.send(b"x")
        assert await early == b"x"
        b.rcvtimeo = 300
        t0 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError):
            await b.arecv()
        assert 0.29 <= time.monotonic() - t0 < 2.0
    run(main)
