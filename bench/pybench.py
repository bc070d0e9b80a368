#!/usr/bin/env python3
"""Python-level benchmark of one nnpy implementation, one cell at a time.

    python pybench.py --transport tcp --size 4096 [--tests lat,thr,loop]
                      [--seconds 0.2] [--label py-ours]

Which nnpy is measured is decided by the interpreter that runs this file
(our package and the original ``nnpy==1.4.2`` live in separate venvs, as
both install a module called ``nnpy``) and, optionally, by ``NNPY_MODULE``
(a module name with the nnpy API; default ``nnpy``).  ``--lib pynng``
measures pynng (nng) through the same cells instead.

Tests, each printed as one JSON line:

* ``lat``  REQ/REP round trip: median and p99 in microseconds.  The REP
  peer binds and echoes; this process is the REQ client.
* ``thr``  PUSH/PULL one way: messages/s and MB/s (10**6 bytes) counted at
  the PULL end (this process, which binds); the peer pushes.
* ``loop`` one thread, inproc PAIR pair: send on one, recv on the other;
  the per-message cost of binding plus core without any thread wake-up.

The peer is a thread for inproc and a child process (this file run again
by the same interpreter) for ipc and tcp.  The two ends agree on phases
over OS pipes carrying one-byte tokens, never over the library under test,
so binding and connecting stay out of the timed regions.  Every socket has
5 s send/recv timeouts, every timed region ends after ``--seconds``, and
both processes carry an alarm() watchdog.

Exit status: 0 ok, 2 the library refused the transport (EPROTONOSUPPORT:
reported as ``"error": "unsupported"``), 1 any other failure.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional

IO_TIMEOUT_MS = 5000
EPROTONOSUPPORT = 93

BOUND, STOP, STOPPED, DONE, ERROR = b"B", b"S", b"T", b"D", b"E"


class Pipes:
    """One end of the token channel: read from rfd, write to wfd."""

    def __init__(self, rfd: int, wfd: int) -> None:
        self.rfd, self.wfd = rfd, wfd

    def put(self, tok: bytes) -> None:
        os.write(self.wfd, tok)

    def _next(self, timeout: float) -> Optional[bytes]:
        r, _, _ = select.select([self.rfd], [], [], timeout)
        if not r:
            return None
        b = os.read(self.rfd, 1)
        if not b:
            raise EOFError("the other end went away")
        return b

    def wait(self, tok: bytes, timeout: float = 10.0) -> None:
        """Block until tok arrives; skips stale tokens, fails on ERROR."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no %r from the other end" % tok)
            b = self._next(left)
            if b == tok:
                return
            if b == ERROR:
                raise RuntimeError("the other end failed")

    def check(self, tok: bytes) -> bool:
        """Non-blocking: has tok (or ERROR) arrived?"""
        while True:
            b = self._next(0)
            if b is None:
                return False
            if b == tok or b == ERROR:
                return True


class Lib:
    """The few calls the benchmark needs from an nnpy module."""

    def __init__(self) -> None:
        self.m = importlib.import_module(os.environ.get("NNPY_MODULE", "nnpy"))

    def socket(self, kind: str) -> Any:
        m = self.m
        s = m.Socket(m.AF_SP, getattr(m, kind))
        if s.sock < 0:  # nnpy 1.4.2 does not check nn_socket()
            raise OSError("nn_socket failed")
        s.setsockopt(m.SOL_SOCKET, m.RCVTIMEO, IO_TIMEOUT_MS)
        s.setsockopt(m.SOL_SOCKET, m.SNDTIMEO, IO_TIMEOUT_MS)
        # libnanomsg's default 1 MiB limit counts the SP header: without
        # this a 1 MiB REQ is dropped with its connection.
        s.setsockopt(m.SOL_SOCKET, m.RCVMAXSIZE, -1)
        return s

    def rcvtimeo(self, s: Any, ms: int) -> None:
        s.setsockopt(self.m.SOL_SOCKET, self.m.RCVTIMEO, ms)

    def describe(self) -> str:
        try:
            from importlib.metadata import version
            v = version(self.m.__name__)
        except Exception:
            v = "?"
        return "%s %s at %s" % (self.m.__name__, v, os.path.dirname(self.m.__file__))


class PynngSock:
    """A pynng socket behind the few nnpy calls the cells make."""

    # pynng 0.9 cannot receive an empty message (its recv unpacks a NULL
    # body), and the REQ/REP cell ends with one: that marker travels as
    # this token instead, outside the timed region.
    END = b"\x00pybench-end"

    def __init__(self, s: Any) -> None:
        self.s = s
        self.close = s.close

    def send(self, m: bytes) -> None:
        self.s.send(m or self.END)

    def recv(self) -> bytes:
        m = self.s.recv()
        return b"" if m == self.END else m

    def bind(self, addr: str) -> None:
        self.s.listen(addr)

    def connect(self, addr: str) -> None:
        self.s.dial(addr, block=True)


class PynngLib(Lib):
    KINDS = {"REQ": "Req0", "REP": "Rep0", "PUSH": "Push0", "PULL": "Pull0", "PAIR": "Pair0"}

    def __init__(self) -> None:
        import pynng
        self.m = pynng

    def socket(self, kind: str) -> Any:
        # nng's 1 MiB default receive limit: 0 lifts it, as RCVMAXSIZE -1 does.
        s = getattr(self.m, self.KINDS[kind])(recv_timeout=IO_TIMEOUT_MS, send_timeout=IO_TIMEOUT_MS,
                                              recv_max_size=0)
        return PynngSock(s)

    def rcvtimeo(self, s: Any, ms: int) -> None:
        s.s.recv_timeout = ms


def unsupported(exc: BaseException) -> bool:
    return getattr(exc, "error_no", None) == EPROTONOSUPPORT or \
        "protocol not supported" in str(exc).lower()


# ---- REQ/REP -----------------------------------------------------------------

def lat_peer(lib: Lib, addr: str, size: int, seconds: float, ch: Pipes) -> None:
    s = lib.socket("REP")
    try:
        s.bind(addr)
        ch.put(BOUND)
        send, recv = s.send, s.recv
        while True:  # echo until the empty end marker
            m = recv()
            send(m)
            if not m:
                break
        ch.wait(DONE)
    finally:
        s.close()


def lat_main(lib: Lib, addr: str, size: int, seconds: float, ch: Pipes) -> Dict[str, Any]:
    ch.wait(BOUND)
    s = lib.socket("REQ")
    try:
        s.connect(addr)
        send, recv = s.send, s.recv
        msg = b"\x01" * size
        warm_end = time.monotonic() + seconds * 0.2
        for i in range(200):
            send(msg)
            r = recv()
            if i >= 5 and time.monotonic() > warm_end:
                break
        if len(r) != size:
            raise RuntimeError("echo has %d bytes, sent %d" % (len(r), size))
        samples: List[int] = []
        app = samples.append
        pc = time.perf_counter_ns
        deadline = pc() + int(seconds * 1e9)
        while True:
            t0 = pc()
            send(msg)
            recv()
            t1 = pc()
            app(t1 - t0)
            if t1 > deadline:
                break
        send(b"")
        recv()
    finally:
        ch.put(DONE)
        s.close()
    samples.sort()
    k = len(samples)
    return dict(n=k, median_us=samples[k // 2] / 1e3,
                p99_us=samples[min(k - 1, k * 99 // 100)] / 1e3, min_us=samples[0] / 1e3)


# ---- PUSH/PULL ---------------------------------------------------------------

def stride(size: int) -> int:
    """Messages between two looks at the clock or the sync pipe."""
    return max(1, min(64, (1 << 20) // size))


def thr_peer(lib: Lib, addr: str, size: int, seconds: float, ch: Pipes) -> None:
    ch.wait(BOUND)
    s = lib.socket("PUSH")
    ok = False
    try:
        s.connect(addr)
        send = s.send
        msg = b"\x02" * size
        k = range(stride(size))
        hard_end = time.monotonic() + seconds + 20
        while not ch.check(STOP) and time.monotonic() < hard_end:
            for _ in k:
                send(msg)
        ok = True
    finally:
        ch.put(STOPPED if ok else ERROR)
        try:
            ch.wait(DONE)
        finally:
            s.close()


def thr_main(lib: Lib, addr: str, size: int, seconds: float, ch: Pipes) -> Dict[str, Any]:
    s = lib.socket("PULL")
    try:
        s.bind(addr)
    except BaseException:
        ch.put(ERROR)
        s.close()
        raise
    ch.put(BOUND)
    try:
        recv = s.recv
        for _ in range(50 if size >= 65536 else 2000):
            r = recv()
        if len(r) != size:
            raise RuntimeError("got %d bytes, sent %d" % (len(r), size))
        k = range(stride(size))
        got = 0
        pc = time.perf_counter_ns
        t0 = pc()
        deadline = t0 + int(seconds * 1e9)
        while True:
            for _ in k:
                recv()
            got += len(k)
            t1 = pc()
            if t1 > deadline:
                break
    finally:
        ch.put(STOP)
        # Drain, so a sender blocked on a full pipe gets to see STOP.
        lib.rcvtimeo(s, 20)
        end = time.monotonic() + 10
        while not ch.check(STOPPED) and time.monotonic() < end:
            try:
                s.recv()
            except Exception:
                pass
        ch.put(DONE)
        s.close()
    sec = (t1 - t0) / 1e9
    return dict(n=got, msgs_s=got / sec, mb_s=got * size / sec / 1e6)


# ---- same-thread loop --------------------------------------------------------

def loop_main(lib: Lib, addr: str, size: int, seconds: float, ch: Optional[Pipes]) -> Dict[str, Any]:
    a, b = lib.socket("PAIR"), lib.socket("PAIR")
    try:
        b.bind(addr)
        a.connect(addr)
        send, recv = a.send, b.recv
        msg = b"\x04" * size
        for _ in range(1000):
            send(msg)
            recv()
        pc = time.perf_counter_ns
        done = 0
        c0 = time.thread_time_ns()
        t0 = pc()
        deadline = t0 + int(seconds * 1e9)
        while True:
            for _ in range(256):
                send(msg)
                recv()
            done += 256
            t1 = pc()
            if t1 > deadline:
                break
        c1 = time.thread_time_ns()
    finally:
        a.close()
        b.close()
    # cpu_ns_per_msg: this thread's CPU time, which time the thread spent
    # preempted on a loaded machine does not inflate (wall time does).
    return dict(n=done, ns_per_msg=(t1 - t0) / done, msgs_s=done / ((t1 - t0) / 1e9),
                cpu_ns_per_msg=(c1 - c0) / done)


TESTS: Dict[str, Any] = {
    "lat": (lat_main, lat_peer),
    "thr": (thr_main, thr_peer),
    "loop": (loop_main, None),
}


# ---- set-up ------------------------------------------------------------------

def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def address(transport: str, test: str, tmpdir: str) -> str:
    if transport == "inproc":
        return "inproc://pybench-%d-%s" % (os.getpid(), test)
    if transport == "ipc":
        return "ipc://%s/%s.ipc" % (tmpdir, test)
    return "%s://127.0.0.1:%d" % (transport, free_tcp_port())


def run_peer(lib: Lib, plan: List[List[Any]], ch: Pipes) -> int:
    """Runs the peer side of each (test, addr, size, seconds) in order."""
    try:
        for test, addr, size, seconds in plan:
            peer = TESTS[test][1]
            if peer is not None:
                peer(lib, addr, size, seconds, ch)
        return 0
    except BaseException as e:
        try:
            ch.put(ERROR)
        except OSError:
            pass
        print("pybench peer: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 2 if unsupported(e) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transport", default="inproc", choices=("inproc", "ipc", "tcp", "ws"))
    ap.add_argument("--lib", default="nnpy", choices=("nnpy", "pynng"),
                    help="nnpy: the nnpy API (NNPY_MODULE); pynng: pynng through the same cells")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--tests", default="lat,thr")
    ap.add_argument("--seconds", type=float, default=0.2)
    ap.add_argument("--label", default="py")
    ap.add_argument("--peer-plan", help=argparse.SUPPRESS)
    ap.add_argument("--peer-fds", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not (0 < args.seconds <= 60) or args.size <= 0:
        ap.error("bad --seconds or --size")
    tests = [t for t in args.tests.split(",") if t]
    if any(t not in TESTS for t in tests):
        ap.error("tests are lat, thr, loop")
    # Watchdog: SIGALRM's default action ends a stuck process, even one
    # blocked inside a C call.
    signal.alarm(int(len(tests) * (args.seconds + 15) + 30))
    lib = PynngLib() if args.lib == "pynng" else Lib()

    if args.peer_plan:  # this is the child of an ipc/tcp run
        r, w = (int(x) for x in args.peer_fds.split(","))
        return run_peer(lib, json.loads(args.peer_plan), Pipes(r, w))

    tmpdir = tempfile.mkdtemp(prefix="pybench-")
    plan = [[t, address(args.transport if t != "loop" else "inproc", t, tmpdir),
             args.size, args.seconds] for t in tests]
    to_peer_r, to_peer_w = os.pipe()
    to_main_r, to_main_w = os.pipe()
    ch = Pipes(to_main_r, to_peer_w)
    peer_ch = Pipes(to_peer_r, to_main_w)
    needs_peer = any(TESTS[t][1] for t in tests)
    thread: Optional[threading.Thread] = None
    child: Optional[subprocess.Popen] = None
    peer_rc = [0]
    if needs_peer and args.transport == "inproc":
        thread = threading.Thread(target=lambda: peer_rc.__setitem__(0, run_peer(lib, plan, peer_ch)),
                                  daemon=True)
        thread.start()
    elif needs_peer:
        child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--transport", args.transport, "--lib", args.lib,
             "--size", str(args.size), "--tests", args.tests, "--seconds", str(args.seconds),
             "--peer-plan", json.dumps(plan), "--peer-fds", "%d,%d" % (to_peer_r, to_main_w)],
            pass_fds=(to_peer_r, to_main_w))
        os.close(to_peer_r)
        os.close(to_main_w)

    rc = 0
    records: List[Dict[str, Any]] = []
    try:
        for test, addr, size, seconds in plan:
            rec: Dict[str, Any] = dict(impl=args.label, test=test,
                                       transport="inproc" if test == "loop" else args.transport,
                                       size=size)
            records.append(rec)
            try:
                rec.update(TESTS[test][0](lib, addr, size, seconds, ch))
            except BaseException as e:
                rec["error"] = "unsupported" if unsupported(e) else "%s: %s" % (type(e).__name__, e)
                rc = 2 if unsupported(e) else 1
                break
            rec["lib"] = lib.describe()
    finally:
        if thread is not None:
            thread.join(IO_TIMEOUT_MS / 1000 + 15)
        if child is not None:
            try:
                child.wait(IO_TIMEOUT_MS / 1000 + 15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            peer_rc[0] = child.returncode
        for name in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, name))
        os.rmdir(tmpdir)
    if rc == 1 and peer_rc[0] == 2:  # the peer's bind was refused
        rc = 2
        records[-1]["error"] = "unsupported"
    for rec in records:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in rec.items()}), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
