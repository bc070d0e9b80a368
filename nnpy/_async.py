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
import select
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, List, Optional, Tuple, TypeVar

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
        self.loops: Dict[asyncio.AbstractEventLoop, "_Waiters"] = {}
        # trio: one task waits on the fd (trio allows one), the others park.
        self.trio_busy = False
        self.trio_lot: Any = None

    def __del__(self, _close: Callable[[int], None] = os.close) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            _close(fd)


# -- asyncio ------------------------------------------------------------------
# A loop takes one reader callback per fd, so per watch and loop there is
# one registration (a _Waiters) and a queue of the tasks waiting. The
# registration outlives a wait: a socket received from in a loop would
# otherwise pay for an add and a remove on every message. It ends at the
# first readiness report that finds nobody waiting (closing the socket
# makes its fds readable, so that comes at once), or with the loop. It
# holds the watch, so the fd it names stays open until then.
#
# Three things keep a wait cheap when messages flow fast:
# * The loop collects readiness reports before it runs the callbacks of
#   the iteration, so a task that ran in between (took the message, or
#   filled the queue again, and waits anew) would be woken by a report
#   that is no longer true, only to fail and wait again. A report is
#   checked against the fd itself first (one poll(2) of timeout 0).
# * When a task is about to wait, it may just have made another waiting
#   task's socket ready (both ends of an inproc link in one loop): the
#   loop would learn that at its next poll and wake that task one
#   iteration later still. So a task that waits first checks the other
#   registrations of its loop, if there are only a few, and wakes the
#   first waiter of each that is ready, as the loop's report would.
# * The send/receive timeout needs a timer, but waits end long before it
#   expires: per registration one timer is armed for the earliest
#   deadline and left in place as waits come and go. When it fires it
#   expires the waits that are due and is armed again for the next one.

class _Waiters:
    """The tasks of one loop waiting on one watch: (future, deadline) in
    arrival order; the deadline is in ``loop.time()``, inf for none."""

    __slots__ = ("watch", "loop", "queue", "poll", "timer", "when", "passed")

    def __init__(self, watch: Watch, loop: asyncio.AbstractEventLoop) -> None:
        self.watch = watch
        self.loop = loop
        self.queue: Deque[Tuple["asyncio.Future[bool]", float]] = deque()
        self.poll = select.poll()       # used by this loop's thread only
        self.poll.register(watch.fd, select.POLLIN)
        self.timer: Optional[asyncio.TimerHandle] = None
        self.when = math.inf
        self.passed = False             # a waiter was woken by _pass_on

    def __len__(self) -> int:
        return len(self.queue)

    def arm(self, deadline: float) -> None:
        if deadline < self.when:
            if self.timer is not None:
                self.timer.cancel()
            self.when = deadline
            self.timer = self.loop.call_at(deadline, _expire, self)

    def drop(self) -> None:
        """Nobody waits: give the loop's registration and timer back."""
        if self.watch.loops.get(self.loop) is self:
            self.watch.loops.pop(self.loop, None)
        regs = _in_loop.get(self.loop)
        if regs is not None and self in regs:
            regs.remove(self)
            if not regs:
                _in_loop.pop(self.loop, None)
        self.loop.remove_reader(self.watch.fd)
        if self.timer is not None:
            self.timer.cancel()
            self.timer, self.when = None, math.inf


# Per loop, its registrations (for the check before a wait). Loops in
# other threads use it too: every look-up and change is one dict operation
# (atomic under the GIL), and each loop changes only its own list. A loop
# closed with registrations left is forgotten at the next registration.
_in_loop: Dict[asyncio.AbstractEventLoop, List[_Waiters]] = {}
_PASS_ON_MAX = 4


def _wake_one(queue: "Deque[Tuple[asyncio.Future[bool], float]]") -> bool:
    while queue:
        fut = queue.popleft()[0]
        if not fut.done():
            fut.set_result(True)
            return True
    return False


def _on_ready(w: _Waiters) -> None:
    queue = w.queue
    if queue:
        w.passed = False
        if not w.poll.poll(0):
            return                      # stale report: wait for the next one
        # One task per readiness report: the fd stays readable while there
        # is more, so the loop calls again for the next waiter.
        if _wake_one(queue):
            return
    elif w.passed:
        # The task woken by _pass_on has not run yet (uvloop reports I/O
        # before it runs the tasks woken meanwhile): it will most likely
        # wait again, so keep the registration for it; a level-triggered
        # fd that stays readable is reported again.
        w.passed = False
        return
    w.drop()


def _pass_on(regs: List[_Waiters], me: _Waiters) -> None:
    for w in regs:
        if w is not me and w.queue and w.poll.poll(0) and _wake_one(w.queue):
            w.passed = True


def _expire(w: _Waiters) -> None:
    due, w.timer, w.when = w.when, None, math.inf
    live = [e for e in w.queue if not e[0].done()]
    w.queue.clear()
    for entry in live:
        if entry[1] <= due:
            entry[0].set_result(False)
        else:
            w.queue.append(entry)
            if entry[1] < math.inf:
                w.arm(entry[1])


async def _wait_asyncio(loop: asyncio.AbstractEventLoop, watch: Watch,
                        timeout: Optional[float]) -> bool:
    """Wait until ``watch.fd`` is readable; False if ``timeout`` s passed first."""
    w = watch.loops.get(loop)
    if w is None:
        for old in [lp for lp in list(watch.loops) if lp.is_closed()]:
            watch.loops.pop(old, None)  # a loop closed while registered
        for old in [lp for lp in list(_in_loop) if lp.is_closed()]:
            _in_loop.pop(old, None)
        w = watch.loops[loop] = _Waiters(watch, loop)
        loop.add_reader(watch.fd, _on_ready, w)
        _in_loop.setdefault(loop, []).append(w)
    regs = _in_loop.get(loop)
    if regs is not None and 1 < len(regs) <= _PASS_ON_MAX:
        _pass_on(regs, w)
    fut: "asyncio.Future[bool]" = loop.create_future()
    if timeout is None:
        entry = (fut, math.inf)
    else:
        entry = (fut, loop.time() + timeout)
        w.arm(entry[1])
    w.queue.append(entry)
    try:
        return await fut
    finally:
        if not fut.done() or fut.cancelled():
            try:
                w.queue.remove(entry)
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


async def _wait_other(watch: Watch, timeout: Optional[float]) -> bool:
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
    # What sniffio would say, minus its look-ups: a running asyncio loop.
    loop = _running_loop() if _sniffio_local.name is None else None
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
                watch = sock._watch(send)
            remaining = None if deadline == math.inf else max(0.0, deadline - time.monotonic())
            if loop is not None:
                ready = await _wait_asyncio(loop, watch, remaining)
            else:
                ready = await _wait_other(watch, remaining)
            if not ready:
                raise sock._timed_out(call, send, timeout_ms)
        result = attempt(sock.sock)
        if type(result) is not int or result >= 0:
            return result
        err = -result
