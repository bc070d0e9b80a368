"""Socket.arecv / asend under asyncio, on the default loop and on uvloop."""
import asyncio
import gc
import threading
import time

import pytest

import nnpy
from async_util import open_fds, run_asyncio, socks, thread_count  # noqa: F401

LOOPS = ["asyncio", "uvloop"]


@pytest.fixture(params=LOOPS)
def run(request):
    return lambda main, *args: run_asyncio(request.param, main, *args)


def test_receive_waits_for_a_later_message(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        task = asyncio.ensure_future(b.arecv())
        await asyncio.sleep(0.02)
        assert not task.done()
        assert await a.asend(b"hello") == 5
        assert await task == b"hello"
        # Already there: no wait at all.
        a.send(b"two")
        assert await b.arecv() == b"two"
    run(main)


def test_send_types(run, socks, addr):
    import array
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        assert await a.asend("é") == 2
        assert await a.asend(bytearray(b"ba")) == 2
        assert await a.asend(memoryview(b"xmv")[1:]) == 2
        assert await a.asend(array.array("i", [1])) == 4
        got = [await b.arecv() for _ in range(4)]
        assert got == ["é".encode(), b"ba", b"mv", array.array("i", [1]).tobytes()]
    run(main)


def test_many_tasks_on_one_socket_each_get_one(run, socks, addr):
    a, b = socks.pair(nnpy.PUSH, nnpy.PULL, addr())

    async def main():
        tasks = [asyncio.ensure_future(b.arecv()) for _ in range(50)]
        await asyncio.sleep(0.01)
        for i in range(50):
            await a.asend(b"%d" % i)
        got = await asyncio.gather(*tasks)
        assert sorted(got) == sorted(b"%d" % i for i in range(50))
    run(main)


def test_send_waits_for_a_peer(run, socks, addr):
    where = addr()
    push = socks(nnpy.PUSH)
    push.bind(where)

    async def main():
        task = asyncio.ensure_future(push.asend(b"queued"))
        await asyncio.sleep(0.05)
        assert not task.done()          # PUSH with no peer cannot send
        pull = socks(nnpy.PULL)
        pull.connect(where)
        assert await task == 6
        assert await pull.arecv() == b"queued"
    run(main)


def test_rcvtimeo(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=150)

    async def main():
        t0 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError) as info:
            await b.arecv()
        elapsed = time.monotonic() - t0
        assert 0.14 <= elapsed < 2.0
        assert info.value.error_no == nnpy.ETIMEDOUT
        assert isinstance(info.value, TimeoutError)
        assert str(info.value) == "arecv: timed out after 150 ms (RCVTIMEO)"
    run(main)


def test_sndtimeo(run, socks, addr):
    push = socks(nnpy.PUSH, sndtimeo=120)
    push.bind(addr())

    async def main():
        t0 = time.monotonic()
        with pytest.raises(nnpy.TimedOutError) as info:
            await push.asend(b"nobody")
        assert time.monotonic() - t0 >= 0.11
        assert str(info.value) == "asend: timed out after 120 ms (SNDTIMEO)"
    run(main)


def test_wait_for_keeps_the_message(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(b.arecv(), 0.05)
        a.send(b"later")
        assert await asyncio.wait_for(b.arecv(), 5) == b"later"
        assert not any(b._rwatch.loops.values())    # nobody left waiting
    run(main)


def test_dontwait(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        with pytest.raises(nnpy.WouldBlockError):
            await b.arecv(nnpy.DONTWAIT)
        a.send(b"x")
        assert await b.arecv(nnpy.DONTWAIT) == b"x"
    run(main)


def test_close_wakes_waiter_at_once(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)

    async def main():
        task = asyncio.ensure_future(b.arecv())
        await asyncio.sleep(0.02)
        t0 = time.monotonic()
        b.close()
        with pytest.raises(nnpy.BadSocketError) as info:
            await task
        assert time.monotonic() - t0 < 0.5
        assert info.value.error_no == nnpy.EBADF
    run(main)


def test_close_from_another_thread_wakes_waiters(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1, sndtimeo=-1)
    c = socks(nnpy.PUSH, sndtimeo=-1)
    c.bind(addr())

    async def main():
        tasks = [asyncio.ensure_future(b.arecv()) for _ in range(3)]
        tasks.append(asyncio.ensure_future(c.asend(b"never")))
        await asyncio.sleep(0.02)
        t0 = time.monotonic()
        threading.Thread(target=lambda: (b.close(), c.close())).start()
        for t in tasks:
            with pytest.raises(nnpy.BadSocketError):
                await t
        assert time.monotonic() - t0 < 1.0
    run(main)


def test_closed_socket_releases_its_fds(run, socks, addr):
    before = open_fds()
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr())

    async def main():
        task = asyncio.ensure_future(b.arecv())
        await asyncio.sleep(0.01)
        a.send(b"1")
        await task
        b.close()
        a.close()
    run(main)
    assert open_fds() == before


def test_loop_closed_with_waits_pending(socks, addr):
    before = open_fds()
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)
    loop = asyncio.new_event_loop()
    task = loop.create_task(b.arecv())
    loop.run_until_complete(asyncio.sleep(0.02))
    loop.close()                                  # the task never ended
    del task
    # A new loop can wait on the same socket; the old one is forgotten.

    async def main():
        later = asyncio.get_running_loop().call_later(0.02, a.send, b"next")
        got = await b.arecv()
        later.cancel()
        return got
    assert asyncio.run(main()) == b"next"
    assert all(lp.is_closed() for lp in b._rwatch.loops)
    a.close()
    b.close()
    gc.collect()            # the abandoned task and its future form a cycle
    # Nothing left open by this test; earlier tests' connections may still
    # be closing on the I/O thread, so the count can only be lower.
    assert open_fds() <= before


def test_asyncio_run_cancels_pending_and_unregisters(run, socks, addr):
    a, b = socks.pair(nnpy.PAIR, nnpy.PAIR, addr(), rcvtimeo=-1)

    async def main():
        asyncio.ensure_future(b.arecv())          # left pending at the end
        await asyncio.sleep(0.01)
    loop = asyncio.new_event_loop()
    task = loop.create_task(main())
    loop.run_until_complete(task)
    pending = asyncio.all_tasks(loop)
    for t in pending:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    assert not any(b._rwatch.loops.values())
    loop.close()
    a.send(b"kept")
    assert b.recv() == b"kept"


def test_req_state_rules(run, socks, addr):
    rep, req = socks.pair(nnpy.REP, nnpy.REQ, addr())

    async def main():
        with pytest.raises(nnpy.StateError) as blocking:
            req.recv()
        with pytest.raises(nnpy.StateError) as info:
            await req.arecv()
        assert info.value.error_no == blocking.value.error_no == nnpy.EFSM
        with pytest.raises(nnpy.StateError):
            await rep.asend(b"no request yet")
        await req.asend(b"q")
        assert await rep.arecv() == b"q"
        await rep.asend(b"a")
        assert await req.arecv() == b"a"
        with pytest.raises(nnpy.StateError):
            await req.arecv()
    run(main)


def test_surveyor_deadline_ends_a_waiting_receive(run, socks, addr):
    surveyor, resp = socks.pair(nnpy.SURVEYOR, nnpy.RESPONDENT, addr())
    surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 150)

    async def main():
        await surveyor.asend(b"who")
        assert await resp.arecv() == b"who"
        await resp.asend(b"me")
        assert await surveyor.arecv() == b"me"
        t0 = time.monotonic()
        with pytest.raises(nnpy.NNError) as info:
            await surveyor.arecv()
        assert info.value.error_no == nnpy.ETIMEDOUT
        assert time.monotonic() - t0 < 1.0
        with pytest.raises(nnpy.StateError):
            await surveyor.arecv()            # no survey running any more
    run(main)


def test_recv_not_supported(run, socks):
    pub = socks(nnpy.PUB)
    pull = socks(nnpy.PULL)

    async def main():
        with pytest.raises(nnpy.NotSupportedError):
            await pub.arecv()
        with pytest.raises(nnpy.NotSupportedError):
            await pull.asend(b"x")
    run(main)


def test_thousand_waiting_sockets_add_no_thread(run, socks, addr):
    async def wait_on(n):
        pairs = [socks.pair(nnpy.PAIR, nnpy.PAIR, addr()) for _ in range(n)]
        tasks = [asyncio.ensure_future(b.arecv()) for _, b in pairs]
        await asyncio.sleep(0.05)
        threads = thread_count()
        assert not any(t.done() for t in tasks)
        for i, (a, _) in enumerate(pairs):
            a.send(b"%d" % i)
        got = await asyncio.gather(*tasks)
        assert got == [b"%d" % i for i in range(n)]
        return threads

    one = run(wait_on, 1)
    assert run(wait_on, 1000) == one
