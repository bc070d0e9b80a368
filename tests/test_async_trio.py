"""Socket.arecv / asend under trio."""
import threading
import time

import pytest

import nnpy
from async_util import need, open_fds, socks, thread_count  # noqa: F401


@pytest.fixture
def trio():
    return need("trio")


def test_receive_waits_for_a_later_message(trio, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())
    got = []

    async def main():
        async with trio.open_nursery() as n:
            async def receive():
                got.append(await b.arecv())
            n.start_soon(receive)
            await trio.sleep(0.02)
            assert got == []
            assert await a.asend(b"hello") == 5
        assert got == [b"hello"]
        a.send(b"two")
        assert await b.arecv() == b"two"
    trio.run(main)


def test_many_tasks_on_one_socket(trio, socks, addr):
    a, b = socks.pair(nnpy.PUSH, nnpy.PULL, addr())
    got = []

    async def main():
        async with trio.open_nursery() as n:
            for _ in range(30):
                n.start_soon(lambda: _take(b, got))
            await trio.sleep(0.02)
            for i in range(30):
                await a.asend(b"%d" % i)
        assert sorted(got) == sorted(b"%d" % i for i in range(30))
    trio.run(main)


async def _take(s, out):
    out.append(await s.arecv())


def test_rcvtimeo_and_sndtimeo(trio, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=120)
    push = socks(nnpy.PUSH, sndtimeo=80)
    push.bind(addr())

    async def main():
        t0 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError) as info:
            await b.arecv()
        assert time.monotonic() - t0 >= 0.11
        assert str(info.value) == "arecv: timed out after 120 ms (RCVTIMEO)"
        with pytest.raises(TimeoutError):
            await push.asend(b"x")
    trio.run(main)


def test_move_on_after_and_fail_after_keep_the_message(trio, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)

    async def main():
        with trio.move_on_after(0.03) as scope:
            await b.arecv()
        assert scope.cancelled_caught
        with pytest.raises(trio.TooSlowError):
            with trio.fail_after(0.03):
                await b.arecv()
        a.send(b"kept")
        with trio.fail_after(5):
            assert await b.arecv() == b"kept"
    trio.run(main)


def test_close_wakes_waiters(trio, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)
    errors = []

    async def main():
        async def receive():
            with pytest.raises(nnpy.BadSocketError) as info:
                await b.arecv()
            errors.append(info.value.error_no)
        async with trio.open_nursery() as n:
            for _ in range(3):
                n.start_soon(receive)
            await trio.sleep(0.02)
            t0 = time.monotonic()
            b.close()
        assert time.monotonic() - t0 < 0.5
        assert errors == [nnpy.EBADF] * 3
    trio.run(main)


def test_close_from_another_thread(trio, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)

    async def main():
        threading.Timer(0.03, b.close).start()
        with trio.fail_after(2):
            with pytest.raises(nnpy.BadSocketError):
                await b.arecv()
    trio.run(main)


def test_req_state_and_surveyor_deadline(trio, socks, addr):
    rep, req = socks.pair(nnpy.REP, nnpy.REQ, addr())
    surveyor, resp = socks.pair(nnpy.SURVEYOR, nnpy.RESPONDENT, addr())
    surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 100)

    async def main():
        with pytest.raises(nnpy.StateError):
            await req.arecv()
        await req.asend(b"q")
        assert await rep.arecv() == b"q"
        await rep.asend(b"a")
        assert await req.arecv() == b"a"
        await surveyor.asend(b"s")
        with pytest.raises(nnpy.NNError) as info:
            with trio.fail_after(2):
                await surveyor.arecv()
        assert info.value.error_no == nnpy.ETIMEDOUT
    trio.run(main)


def test_thousand_waiting_sockets_add_no_thread(trio, socks, addr):
    def wait_on(n):
        pairs = [socks.pair(nnpy.PAIR, nnpy.PAIR, addr()) for _ in range(n)]
        got = [None] * n
        counted = []

        async def receive(i, b):
            got[i] = await b.arecv()

        async def main():
            async with trio.open_nursery() as nursery:
                for i, (_, b) in enumerate(pairs):
                    nursery.start_soon(receive, i, b)
                await trio.sleep(0.05)
                counted.append(thread_count())
                for i, (a, _) in enumerate(pairs):
                    a.send(b"%d" % i)
        trio.run(main)
        assert got == [b"%d" % i for i in range(n)]
        return counted[0]

    assert wait_on(1000) == wait_on(1)


def test_fds_released(trio, socks, addr):
    before = open_fds()
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        with trio.move_on_after(0.01):
            await b.arecv()
        b.close()
        a.close()
    trio.run(main)
    assert open_fds() == before
