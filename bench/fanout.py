"""PUB/SUB fan-out over tcp: one publisher, N subscribers, each in its own
process. The publisher sends as fast as it can for a while; every subscriber
counts what it receives. Reports messages delivered per second summed over
subscribers, the publisher's send rate, and each subscriber's share.

    python bench/fanout.py --lib nnpy --subs 10 --seconds 2
    python bench/fanout.py --compare nnpy,zmq --subs 1,10,100 --rounds 3

`--compare` alternates the libraries round by round in one run and prints
per-round ratios (ours / best peer), so machine noise hits both sides alike.
It needs pyzmq installed for `zmq` (`pip install pyzmq`).
"""
import argparse
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List

WARM = b"W"
DATA = b"D"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Ends:
    """The three calls each library needs: a PUB, a SUB, send and recv."""

    def __init__(self, lib: str) -> None:
        self.lib = lib
        if lib == "zmq":
            import zmq
            self.zmq = zmq
            self.ctx = zmq.Context()
        else:
            import nnpy
            self.nnpy = nnpy

    def pub(self, addr: str) -> Any:
        if self.lib == "zmq":
            s = self.ctx.socket(self.zmq.PUB)
            s.bind(addr)
            return s
        s = self.nnpy.Socket(self.nnpy.AF_SP, self.nnpy.PUB)
        s.bind(addr)
        return s

    def sub(self, addr: str) -> Any:
        if self.lib == "zmq":
            s = self.ctx.socket(self.zmq.SUB)
            s.setsockopt(self.zmq.SUBSCRIBE, b"")
            s.setsockopt(self.zmq.RCVTIMEO, 200)
            s.connect(addr)
            return s
        s = self.nnpy.Socket(self.nnpy.AF_SP, self.nnpy.SUB)
        s.setsockopt(self.nnpy.SUB, self.nnpy.SUB_SUBSCRIBE, b"")
        s.setsockopt(self.nnpy.SOL_SOCKET, self.nnpy.RCVTIMEO, 200)
        s.connect(addr)
        return s

    def timeouts(self) -> tuple:
        if self.lib == "zmq":
            return (self.zmq.Again,)
        return (self.nnpy.TimedOutError,)


def subscriber(lib: str, addr: str) -> int:
    """Child: count data messages until stdin closes; print the count."""
    ends = Ends(lib)
    s = ends.sub(addr)
    stop = threading.Event()

    def watch() -> None:
        sys.stdin.buffer.read()
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    timeouts = ends.timeouts()
    recv = s.recv
    ready = False
    count = 0
    while not stop.is_set():
        try:
            m = recv()
        except timeouts:
            continue
        if m[:1] == DATA:
            count += 1
        elif not ready:
            ready = True
            sys.stdout.write("ready\n")
            sys.stdout.flush()
    sys.stdout.write("%d\n" % count)
    sys.stdout.flush()
    return 0


def publisher(lib: str, nsubs: int, seconds: float, size: int) -> Dict[str, Any]:
    ends = Ends(lib)
    addr = "tcp://127.0.0.1:%d" % free_port()
    pub = ends.pub(addr)
    subs = [subprocess.Popen([sys.executable, __file__, "--role", "sub",
                              "--lib", lib, "--addr", addr],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            for _ in range(nsubs)]
    try:
        # Warm up until every subscriber has seen a message, so that the
        # timed part measures steady delivery, not connection set-up.
        waiting = {p.stdout.fileno(): p for p in subs}
        deadline = time.monotonic() + 30
        while waiting:
            if time.monotonic() > deadline:
                raise RuntimeError("subscribers did not connect")
            pub.send(WARM)
            r, _, _ = select.select(list(waiting), [], [], 0.01)
            for fd in r:
                line = waiting.pop(fd).stdout.readline()
                if line.strip() != b"ready":
                    raise RuntimeError("subscriber said %r" % line)
        msg = DATA + b"x" * (size - 1)
        send = pub.send
        sent = 0
        t0 = time.perf_counter()
        end = t0 + seconds
        while True:
            for _ in range(64):
                send(msg)
            sent += 64
            if time.perf_counter() >= end:
                break
        took = time.perf_counter() - t0
        time.sleep(0.5)  # let what is in flight arrive
        counts = []
        for p in subs:
            p.stdin.close()
        for p in subs:
            counts.append(int(p.stdout.readline()))
            p.wait(10)
    finally:
        for p in subs:
            if p.poll() is None:
                p.kill()
                p.wait()
        pub.close()
    delivered = sum(counts)
    return {
        "lib": lib, "subs": nsubs, "size": size, "seconds": took,
        "sent_per_s": sent / took, "delivered_per_s": delivered / took,
        "share_min": min(counts) / sent, "share_max": max(counts) / sent,
    }


def compare(libs: List[str], subs: List[int], rounds: int, seconds: float,
            size: int) -> None:
    rows: Dict[tuple, List[Dict[str, Any]]] = {}
    for r in range(rounds):
        for n in subs:
            order = libs if r % 2 == 0 else list(reversed(libs))
            for lib in order:
                res = publisher(lib, n, seconds, size)
                rows.setdefault((lib, n), []).append(res)
                print(json.dumps(res), file=sys.stderr)
    ours = libs[0]
    print("| subs | lib | delivered/s (median) | sent/s | share min-max |"
          " ratio ours/best peer per round |")
    print("|---|---|---|---|---|---|")
    for n in subs:
        for lib in libs:
            rs = rows[(lib, n)]
            ratio = ""
            if lib == ours and len(libs) > 1:
                per = []
                for i, mine in enumerate(rs):
                    best = max(rows[(o, n)][i]["delivered_per_s"]
                               for o in libs if o != ours)
                    per.append(mine["delivered_per_s"] / best)
                ratio = "%.2f (%.2f-%.2f)" % (statistics.median(per),
                                               min(per), max(per))
            print("| %d | %s | %.0f | %.0f | %.2f-%.2f | %s |" % (
                n, lib,
                statistics.median(x["delivered_per_s"] for x in rs),
                statistics.median(x["sent_per_s"] for x in rs),
                min(x["share_min"] for x in rs),
                max(x["share_max"] for x in rs), ratio))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--role", default="pub", choices=["pub", "sub"])
    ap.add_argument("--lib", default="nnpy", choices=["nnpy", "zmq"])
    ap.add_argument("--addr")
    ap.add_argument("--subs", default="10")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compare", help="libraries, ours first: nnpy,zmq")
    a = ap.parse_args()
    if a.role == "sub":
        return subscriber(a.lib, a.addr)
    subs = [int(x) for x in a.subs.split(",")]
    if a.compare:
        compare(a.compare.split(","), subs, a.rounds, a.seconds, a.size)
    else:
        for n in subs:
            print(json.dumps(publisher(a.lib, n, a.seconds, a.size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
