"""Event-loop glue for the coroutine methods of :class:`nnpy.Socket`.

A socket's NN_RCVFD / NN_SNDFD are level-triggered: readable exactly while
a receive (send) would not block. An async call first tries the
non-blocking C call; only when that says EAGAIN does it wait for the fd
through the running loop's own reader registration (``loop.add_reader``
under asyncio and uvloop, ``trio.lowlevel.wait_readable`` under trio), and
then tries again. The message is taken by that non-blocking call alone,
never by the wait, so a cancelled wait leaves the message in the socket,
and a send is either done whole or not at all.

Nothing here starts a thread or polls: a waiting task costs one future and,
per socket and loop, one reader registration.
"""
from __future__ import annotations

import asyncio
import math
import os
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, Optional, TypeVar

import sniffio

from . import constants as _c

if TYPE_CHECKING:
    from .socket import Socket

__all__ = ["Watch", "attempt_until_done"]

T = TypeVar("T")

_EAGAIN = _c.EAGAIN
_EINTR = _c.EINTR
_DONTWAIT = _c.DONTWAIT


class Watch:
    """One readiness fd of one socket, as the event loops watch it.

    The fd watched is a duplicate of the core's. The core closes its own fd
    when the socket goes (nn_close, nn_term, from any thread), but first
    makes it readable; the duplicate keeps the same eventfd open as long as
    a loop may still have it registered, so every waiter wakes, tries again
    and fails with EBADF, and no loop ever watches a closed or reused fd
    number. The duplicate is closed when the last holder (the socket, or a
    task still waiting) lets go of this object.
    """

    __slots__ = ("fd", "loops", "trio_busy", "trio_lot")

    def __init__(self, fd: int) -> None:
        self.fd = os.dup(fd)                 # not inheritable, as os.dup makes it
        # asyncio: per loop, the futures of the tasks waiting on this fd
        # (a loop takes one reader callback per fd).
        self.loops: Dict[asyncio.AbstractEventLoop, Deque["asyncio.Future[bool]"]] = {}
        # trio: one task waits on the fd (trio allows one), the others park.
        self.trio_busy = False
        self.trio_lot: Any = None

    def __del__(self, _close: Callable[[int], None] = os.close) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            _close(fd)


# -- asyncio ------------------------------------------------------------------
# A loop takes one reader callback per fd, so per watch and loop there is
# one registration and a queue of the futures of the tasks waiting. The
# registration outlives a wait: a socket received from in a loop would
# otherwise pay for an add and a remove on every message. It ends at the
# first readiness report that finds nobody waiting (closing the socket
# makes its fds readable, so that comes at once), or with the loop. It
# holds the watch, so the fd it names stays open until then.

def _on_ready(watch: Watch, loop: asyncio.AbstractEventLoop,
              queue: "Deque[asyncio.Future[bool]]") -> None:
    # One task per readiness report: the fd stays readable while there is
    # more, so the loop calls again for the next waiter.
    while queue:
        fut = queue.popleft()
        if not fut.done():
            fut.set_result(True)
            return
    if watch.loops.get(loop) is queue:
        del watch.loops[loop]
    loop.remove_reader(watch.fd)


def _expire(fut: "asyncio.Future[bool]") -> None:
    if not fut.done():
        fut.set_result(False)


async def _wait_asyncio(loop: asyncio.AbstractEventLoop, watch: Watch,
                        timeout: Optional[float]) -> bool:
    """Wait until ``watch.fd`` is readable; False if ``timeout`` s passed first."""
    fut: "asyncio.Future[bool]" = loop.create_future()
    queue = watch.loops.get(loop)
    if queue is None:
        for old in [lp for lp in watch.loops if lp.is_closed()]:
            del watch.loops[old]        # a loop closed while registered
        queue = watch.loops[loop] = deque()
        loop.add_reader(watch.fd, _on_ready, watch, loop, queue)
    queue.append(fut)
    timer = None if timeout is None else loop.call_later(timeout, _expire, fut)
    try:
        return await fut
    finally:
        if timer is not None:
            timer.cancel()
        if not fut.done() or fut.cancelled():
            try:
                queue.remove(fut)
            except ValueError:
                pass


# -- trio -----------------------------------------------------------------------

async def _wait_trio(watch: Watch, timeout: Optional[float]) -> bool:
    import trio

    if watch.trio_lot is None:
        watch.trio_lot = trio.lowlevel.ParkingLot()
    with trio.move_on_after(math.inf if timeout is None else timeout):
        if watch.trio_busy:
            # Woken when the task on the fd leaves, whatever the reason
            # (ready, cancelled): then everyone tries again.
            await watch.trio_lot.park()
        else:
            watch.trio_busy = True
            try:
                await trio.lowlevel.wait_readable(watch.fd)
            finally:
                watch.trio_busy = False
                watch.trio_lot.unpark_all()
        return True
    return False


_running_loop = asyncio._get_running_loop
_sniffio_local = sniffio.thread_local


async def _wait(watch: Watch, timeout: Optional[float]) -> bool:
    if _sniffio_local.name is None:
        # What sniffio would say, minus its look-ups: a running asyncio loop.
        loop = _running_loop()
        if loop is not None:
            return await _wait_asyncio(loop, watch, timeout)
    lib_name = sniffio.current_async_library()
    if lib_name == "asyncio":
        return await _wait_asyncio(asyncio.get_running_loop(), watch, timeout)
    if lib_name == "trio":
        return await _wait_trio(watch, timeout)
    raise RuntimeError("nnpy: async calls need asyncio or trio, not %s" % lib_name)


# -- the retry loop shared by every coroutine method ---------------------------

async def attempt_until_done(sock: "Socket", call: str, send: bool, err: int,
                             attempt: Callable[[int], Any]) -> Any:
    """Wait and retry ``attempt(sock_number)`` after a first try failed with ``err``.

    ``attempt`` makes the non-blocking C call and returns its result, or a
    negative errno. Ends with the result, or raises the error (the
    socket's send/receive timeout gives a TimedOutError).
    """
    deadline: Optional[float] = None
    timeout_ms = -1
    while True:
        if err == _EINTR:                   # signal handlers ran: go on
            pass
        elif err != _EAGAIN:
            raise sock._error(call, err)
        else:
            if deadline is None:
                timeout_ms = sock._timeout_ms(send)
                deadline = math.inf if timeout_ms < 0 else time.monotonic() + timeout_ms / 1e3
            remaining = None if deadline == math.inf else max(0.0, deadline - time.monotonic())
            if not await _wait(sock._watch(send), remaining):
                raise sock._timed_out(call, send, timeout_ms)
        result = attempt(sock.sock)
        if type(result) is not int or result >= 0:
            return result
        err = -result
