#!/usr/bin/env python3
"""One REP server with many REQ clients, in Python: nnpy, pyzmq or pynng.

    python manypy.py --lib nnpy|pyzmq|pynng --mode load|idle
                     [--transport tcp|ipc] [--clients 1000] [--seconds 0.5]

The Python counterpart of ``c/manybench.c``'s ``load`` and ``idle`` modes.
This process binds a REP socket and echoes on it in a thread; the clients
are REQ sockets spread over ``PROCS`` child processes (this file run again
by the same interpreter), each with its own connection to the server.

* ``load``: every client keeps one 64-byte request outstanding; a child
  waits for replies on all of its sockets at once (poll(2) on the receive
  descriptors for nnpy and pynng, ``zmq.Poller`` for pyzmq) and sends the
  next request on each socket whose reply is in.  The result is the number
  of requests the server answered per second over ``--seconds``, and the
  server process's CPU time per request (``server_cpu_us``, all threads).
* ``idle``: the server reads its RSS after binding, lets every client
  connect and do one round trip, waits 0.2 s and reads it again:
  ``server_bytes_per_conn`` is the growth over the client count.  Each
  child reads its own RSS after its first socket's round trip and after
  all of its sockets' round trips: ``client_bytes_per_conn`` is that
  growth per additional socket (Python object, library socket and its
  connection), averaged over the children.

The parent and the children agree on phases over OS pipes, never over the
library under test.  Output: one JSON line; exit status 0 on success.
"""
from __future__ import annotations

import argparse
import errno
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
from typing import Any, Callable, List, Tuple

PROCS = 4          # libnanomsg (nnpy 1.4.2) allows 512 sockets per process
SIZE = 64
TIMEOUT_MS = 5000


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- the libraries --------------------------------------------------------------
# Each: rep(addr) -> server socket; req(addr) -> client socket; echo(sock)
# -> one request answered (False on timeout); poller(socks, fd) -> a
# function (timeout_ms) -> (indexes of sockets with a reply, fd readable);
# try_recv(sock) -> reply or None.


class Nnpy:
    def __init__(self) -> None:
        import nnpy
        self.m = nnpy

    def _sock(self, kind: int, rcvtimeo: int) -> Any:
        m = self.m
        s = m.Socket(m.AF_SP, kind)
        s.setsockopt(m.SOL_SOCKET, m.RCVTIMEO, rcvtimeo)
        s.setsockopt(m.SOL_SOCKET, m.SNDTIMEO, TIMEOUT_MS)
        return s

    def rep(self, addr: str) -> Any:
        s = self._sock(self.m.REP, 100)
        s.bind(addr)
        return s

    def req(self, addr: str) -> Any:
        s = self._sock(self.m.REQ, TIMEOUT_MS)
        s.connect(addr)
        return s

    def echo(self, s: Any) -> bool:
        try:
            m = s.recv()
        except self.m.NNError as e:
            if e.error_no == errno.ETIMEDOUT:
                return False
            raise
        s.send(m)
        return True

    def fd(self, s: Any) -> int:
        return int(s.getsockopt(self.m.SOL_SOCKET, self.m.RCVFD))

    def poller(self, socks: List[Any], fd: int) -> Callable[[int], Tuple[List[int], bool]]:
        return fd_poller([self.fd(s) for s in socks], fd)

    def try_recv(self, s: Any) -> Any:
        try:
            return s.recv(self.m.DONTWAIT)
        except self.m.NNError as e:
            if e.error_no == errno.EAGAIN:
                return None
            raise

    def close(self, s: Any) -> None:
        s.close()


class Pynng:
    def __init__(self) -> None:
        import pynng
        self.m = pynng

    def rep(self, addr: str) -> Any:
        s = self.m.Rep0(recv_timeout=100, send_timeout=TIMEOUT_MS)
        s.listen(addr)
        return s

    def req(self, addr: str) -> Any:
        s = self.m.Req0(recv_timeout=TIMEOUT_MS, send_timeout=TIMEOUT_MS)
        s.dial(addr, block=True)
        return s

    def echo(self, s: Any) -> bool:
        try:
            m = s.recv()
        except self.m.Timeout:
            return False
        s.send(m)
        return True

    def poller(self, socks: List[Any], fd: int) -> Callable[[int], Tuple[List[int], bool]]:
        return fd_poller([s.recv_fd for s in socks], fd)

    def try_recv(self, s: Any) -> Any:
        try:
            return s.recv(block=False)
        except self.m.TryAgain:
            return None

    def close(self, s: Any) -> None:
        s.close()


class Pyzmq:
    def __init__(self) -> None:
        import zmq
        self.m = zmq
        self.ctx = zmq.Context()

    def _sock(self, kind: int, rcvtimeo: int) -> Any:
        s = self.ctx.socket(kind)
        s.setsockopt(self.m.LINGER, 0)
        s.setsockopt(self.m.RCVTIMEO, rcvtimeo)
        s.setsockopt(self.m.SNDTIMEO, TIMEOUT_MS)
        return s

    def rep(self, addr: str) -> Any:
        s = self._sock(self.m.REP, 100)
        s.bind(addr)
        return s

    def req(self, addr: str) -> Any:
        s = self._sock(self.m.REQ, TIMEOUT_MS)
        s.connect(addr)
        return s

    def echo(self, s: Any) -> bool:
        try:
            m = s.recv()
        except self.m.Again:
            return False
        s.send(m)
        return True

    def poller(self, socks: List[Any], fd: int) -> Callable[[int], Tuple[List[int], bool]]:
        # zmq's own descriptor is edge-triggered: its Poller is the way.
        p = self.m.Poller()
        where = {}
        for i, s in enumerate(socks):
            p.register(s, self.m.POLLIN)
            where[s] = i
        p.register(fd, self.m.POLLIN)

        def wait(timeout_ms: int) -> Tuple[List[int], bool]:
            ready, stop = [], False
            for what, _ in p.poll(timeout_ms):
                if what == fd:
                    stop = True
                else:
                    ready.append(where[what])
            return ready, stop
        return wait

    def try_recv(self, s: Any) -> Any:
        try:
            return s.recv(self.m.NOBLOCK)
        except self.m.Again:
            return None

    def close(self, s: Any) -> None:
        s.close(0)


LIBS = {"nnpy": Nnpy, "pynng": Pynng, "pyzmq": Pyzmq}


def fd_poller(fds: List[int], stop_fd: int) -> Callable[[int], Tuple[List[int], bool]]:
    p = select.poll()
    where = {}
    for i, f in enumerate(fds):
        p.register(f, select.POLLIN)
        where[f] = i
    p.register(stop_fd, select.POLLIN)

    def wait(timeout_ms: int) -> Tuple[List[int], bool]:
        ready, stop = [], False
        for f, _ in p.poll(timeout_ms):
            if f == stop_fd:
                stop = True
            else:
                ready.append(where[f])
        return ready, stop
    return wait


# ---- child: the clients -----------------------------------------------------------

def read_tok(fd: int, timeout: float = 30.0) -> bytes:
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        raise TimeoutError("no token from the other end")
    b = os.read(fd, 1)
    if not b:
        raise EOFError("the other end went away")
    return b


def child(lib: Any, addr: str, n: int, load: bool, rfd: int, wfd: int) -> int:
    socks = []
    msg = b"q" * SIZE
    rss0 = 0
    for i in range(n):
        s = lib.req(addr)
        socks.append(s)
        s.send(msg)
        if s.recv() != msg:
            raise RuntimeError("bad echo")
        if i == 0:
            rss0 = rss_bytes()
    rss1 = rss_bytes()
    os.write(wfd, b"R")
    got = 0
    if load:
        if read_tok(rfd) != b"G":
            return 1
        wait = lib.poller(socks, rfd)
        for s in socks:
            s.send(msg)
        try_recv = lib.try_recv
        while True:
            ready, stop = wait(1000)
            if stop:
                break
            for i in ready:
                s = socks[i]
                if try_recv(s) is not None:
                    got += 1
                    s.send(msg)
        if read_tok(rfd) != b"S":
            return 1
    per = (rss1 - rss0) // (n - 1) if n > 1 else 0
    os.write(wfd, ("%d %d\n" % (got, per)).encode())
    try:
        read_tok(rfd)  # the server has measured
    except (TimeoutError, EOFError):
        pass
    for s in socks:
        lib.close(s)
    return 0


# ---- parent: the server -------------------------------------------------------------

def read_line(fd: int) -> Tuple[int, int]:
    buf = b""
    while not buf.endswith(b"\n"):
        buf += read_tok(fd)
    a, b = buf.split()
    return int(a), int(b)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server(a: argparse.Namespace) -> int:
    lib = LIBS[a.lib]()
    tmp = tempfile.mkdtemp(prefix="manypy-")
    addr = ("ipc://%s/rep.ipc" % tmp if a.transport == "ipc"
            else "%s://127.0.0.1:%d" % (a.transport, free_port()))
    rep = lib.rep(addr)
    served = [0]
    stop = threading.Event()

    def serve() -> None:
        n = 0
        echo = lib.echo
        while not stop.is_set():
            if echo(rep):
                n += 1
                served[0] = n
        lib.close(rep)

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    time.sleep(0.1)
    rss0 = rss_bytes()
    kids: List[Tuple[subprocess.Popen, int, int]] = []
    rc = 1
    try:
        for p in range(PROCS):
            n = a.clients // PROCS + (p < a.clients % PROCS)
            down_r, down_w = os.pipe()
            up_r, up_w = os.pipe()
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--lib", a.lib, "--mode", a.mode,
                 "--child", "%s,%d,%d,%d" % (addr, n, down_r, up_w)], pass_fds=(down_r, up_w))
            os.close(down_r)
            os.close(up_w)
            kids.append((proc, up_r, down_w))
        for _, r, _ in kids:
            if read_tok(r, 120) != b"R":
                raise RuntimeError("a client process failed")
        rec = dict(impl=a.label, transport=a.transport, clients=a.clients)
        if a.mode == "load":
            for _, _, w in kids:
                os.write(w, b"G")
            time.sleep(0.05)
            t0, cpu0, c0 = time.perf_counter(), time.process_time(), served[0]
            time.sleep(a.seconds)
            c1, cpu1, t1 = served[0], time.process_time(), time.perf_counter()
            for _, _, w in kids:
                os.write(w, b"S")
            for _, r, _ in kids:
                read_line(r)
            rec.update(test="many", size=SIZE, n=c1 - c0, msgs_s=round((c1 - c0) / (t1 - t0), 1),
                       server_cpu_us=round((cpu1 - cpu0) * 1e6 / max(1, c1 - c0), 2))
        else:
            time.sleep(0.2)
            rss1 = rss_bytes()
            per = [read_line(r)[1] for _, r, _ in kids]
            rec.update(test="mem", size=0, server_bytes_per_conn=round((rss1 - rss0) / a.clients, 1),
                       client_bytes_per_conn=round(sum(per) / len(per), 1), server_rss_kib=rss1 // 1024)
        print(json.dumps(rec), flush=True)
        rc = 0
    finally:
        for _, r, w in kids:
            try:
                os.write(w, b"Q")
            except OSError:
                pass
        for proc, r, w in kids:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            rc = rc or (proc.returncode != 0)
            os.close(r)
            os.close(w)
        stop.set()
        th.join(5)
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    return rc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", default="nnpy", choices=sorted(LIBS))
    ap.add_argument("--mode", default="load", choices=("load", "idle"))
    ap.add_argument("--transport", default="tcp", choices=("tcp", "ipc", "ws"))
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--label", default="")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    signal.alarm(180)  # watchdog: SIGALRM's default action ends a stuck process
    if a.child:
        addr, n, rfd, wfd = a.child.rsplit(",", 3)
        return child(LIBS[a.lib](), addr, int(n), a.mode == "load", int(rfd), int(wfd))
    if a.clients < PROCS * 2 or not 0 < a.seconds <= 60:
        ap.error("need --clients >= %d and 0 < --seconds <= 60" % (PROCS * 2))
    a.label = a.label or a.lib
    return server(a)


if __name__ == "__main__":
    sys.exit(main())
