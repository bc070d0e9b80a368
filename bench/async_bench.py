#!/usr/bin/env python3
"""Async cells: nnpy's arecv/asend against zmq.asyncio (pyzmq) and pynng's
async API, on asyncio, in interleaved rounds of one run.

    python bench/async_bench.py [--rounds 5] [--seconds 0.3] [--sizes 64]
                                [--transports inproc,ipc,tcp] [--loop asyncio|uvloop]
                                [--baseline DIR] [--out results.jsonl]

Cells, each for every library:

* ``lat``  REQ/REP round trip (median, microseconds). Both ends are tasks
  of one event loop: the REP task echoes, the REQ task times each
  ``await send; await recv``.
* ``thr``  PUSH/PULL one way (messages/s): a PUSH task sends as fast as it
  can, the PULL task counts for ``--seconds``.

Every round runs every cell for every library back to back, in an order
that rotates each round, so load on the machine hits all three alike.
The ratio of a round is nnpy against the best of the other two in that
round (latency: theirs/ours, throughput: ours/theirs; above 1.0 nnpy is
faster). ``pip install '.[bench]'`` installs pyzmq and pynng.

``--baseline DIR`` adds a fourth library, ``nnpy-before``: the nnpy
package in ``DIR/nnpy`` (another version's Python files with the built
extensions, e.g. ``git archive main nnpy | tar -x -C DIR`` then
``cp nnpy/*.so DIR/nnpy/``), imported under another name, so a change is
measured against what it replaces in the same rounds.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Tuple

import nnpy

LIBS: Tuple[str, ...] = ("nnpy", "pyzmq", "pynng")
BEFORE: Any = None          # the --baseline package, imported as nnpy_before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def address(transport: str, tag: str, tmp: str) -> str:
    if transport == "inproc":
        return "inproc://abench-%s-%d" % (tag, time.monotonic_ns())
    if transport == "ipc":
        return "ipc://%s/%s-%d.ipc" % (tmp, tag, time.monotonic_ns())
    return "tcp://127.0.0.1:%d" % free_port()


# -- each library: make a bound and a connected socket; async send/recv ---------

class NnpyEnds:
    def __init__(self, pattern: str, where: str, lib: Any = nnpy) -> None:
        kinds = {"reqrep": (lib.REP, lib.REQ), "pipeline": (lib.PULL, lib.PUSH)}[pattern]
        opts = dict(rcvtimeo=5000, sndtimeo=5000, rcvmaxsize=-1)
        self.server = lib.Socket(lib.AF_SP, kinds[0], **opts)
        self.client = lib.Socket(lib.AF_SP, kinds[1], **opts)
        self.server.bind(where)
        self.client.connect(where)
        self.srecv, self.ssend = self.server.arecv, self.server.asend
        self.crecv, self.csend = self.client.arecv, self.client.asend

    def close(self) -> None:
        self.server.close()
        self.client.close()


class ZmqEnds:
    ctx: Any = None

    def __init__(self, pattern: str, where: str) -> None:
        import zmq
        import zmq.asyncio
        if ZmqEnds.ctx is None:
            ZmqEnds.ctx = zmq.asyncio.Context()
        kinds = {"reqrep": (zmq.REP, zmq.REQ), "pipeline": (zmq.PULL, zmq.PUSH)}[pattern]
        self.server = self.ctx.socket(kinds[0])
        self.client = self.ctx.socket(kinds[1])
        for s in (self.server, self.client):
            s.setsockopt(zmq.LINGER, 0)
        self.server.bind(where)
        self.client.connect(where)
        self.srecv, self.ssend = self.server.recv, self.server.send
        self.crecv, self.csend = self.client.recv, self.client.send

    def close(self) -> None:
        self.server.close()
        self.client.close()


class NngEnds:
    def __init__(self, pattern: str, where: str) -> None:
        import pynng
        kinds = {"reqrep": (pynng.Rep0, pynng.Req0),
                 "pipeline": (pynng.Pull0, pynng.Push0)}[pattern]
        self.server = kinds[0](recv_timeout=5000, send_timeout=5000, recv_max_size=0)
        self.server.listen(where)
        self.client = kinds[1](recv_timeout=5000, send_timeout=5000, recv_max_size=0)
        self.client.dial(where, block=True)
        self.srecv, self.ssend = self.server.arecv, self.server.asend
        self.crecv, self.csend = self.client.arecv, self.client.asend

    def close(self) -> None:
        self.client.close()
        self.server.close()


ENDS: Dict[str, Callable[[str, str], Any]] = {
    "nnpy": NnpyEnds, "pyzmq": ZmqEnds, "pynng": NngEnds,
    "nnpy-before": lambda pattern, where: NnpyEnds(pattern, where, BEFORE)}


def load_baseline(src: str) -> Any:
    """Import ``src/nnpy`` as the package ``nnpy_before``.

    Its extension modules are copies of another file, so they load as
    their own instances (each its own core); entries they make under the
    ``nnpy`` name in sys.modules are put back as they were.
    """
    tmp = tempfile.mkdtemp(prefix="nnpy-before")
    shutil.copytree(os.path.join(src, "nnpy"), os.path.join(tmp, "nnpy_before"))
    saved = {k: v for k, v in sys.modules.items() if k == "nnpy" or k.startswith("nnpy.")}
    sys.path.insert(0, tmp)
    try:
        mod = importlib.import_module("nnpy_before")
    finally:
        sys.path.remove(tmp)
        for k in [k for k in sys.modules if k == "nnpy" or k.startswith("nnpy.")]:
            if k in saved:
                sys.modules[k] = saved[k]
            else:
                del sys.modules[k]
    return mod


# -- the two measurements ----------------------------------------------------------

async def lat(ends: Any, size: int, seconds: float) -> float:
    msg = b"\x01" * size

    async def echo() -> None:
        while True:
            m = await ends.srecv()
            await ends.ssend(m)
            if not m:
                return

    server = asyncio.ensure_future(echo())
    send, recv = ends.csend, ends.crecv
    for _ in range(200):
        await send(msg)
        await recv()
    samples: List[int] = []
    pc = time.perf_counter_ns
    end = pc() + int(seconds * 1e9)
    while True:
        t0 = pc()
        await send(msg)
        await recv()
        t1 = pc()
        samples.append(t1 - t0)
        if t1 > end:
            break
    await send(b"")
    await recv()
    await server
    return statistics.median(samples) / 1e3


async def thr(ends: Any, size: int, seconds: float) -> float:
    msg = b"\x02" * size
    stop = False

    async def push() -> None:
        send = ends.csend
        while not stop:
            for _ in range(64):
                await send(msg)
        await send(b"")                       # end marker

    pusher = asyncio.ensure_future(push())
    recv = ends.srecv
    for _ in range(2000):
        await recv()
    got = 0
    pc = time.perf_counter_ns
    t0 = pc()
    end = t0 + int(seconds * 1e9)
    while True:
        for _ in range(64):
            await recv()
        got += 64
        t1 = pc()
        if t1 > end:
            break
    stop = True
    while await recv():                       # drain to the end marker
        pass
    await pusher
    return got / ((t1 - t0) / 1e9)


async def cell(lib: str, test: str, transport: str, size: int, seconds: float,
               tmp: str) -> float:
    pattern = "reqrep" if test == "lat" else "pipeline"
    where = address(transport, lib + test, tmp)
    ends = ENDS[lib](pattern, where)
    try:
        await asyncio.sleep(0.05)             # connections up before timing
        fn = lat if test == "lat" else thr
        return await asyncio.wait_for(fn(ends, size, seconds), 60)
    finally:
        ends.close()


def ratio(test: str, ours: float, others: List[float]) -> float:
    if test == "lat":
        return min(others) / ours
    return ours / max(others)


def one(args: argparse.Namespace) -> int:
    impl, test, transport, size = args.one
    lib = impl.replace("async-", "")
    if args.loop == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    tmp = tempfile.mkdtemp(prefix="abench")
    try:
        v = loop.run_until_complete(cell(lib, test, transport, int(size), args.seconds, tmp))
    finally:
        loop.close()
    field = "median_us" if test == "lat" else "msgs_s"
    print(json.dumps({"impl": impl, "test": test, "transport": transport,
                      "size": int(size), field: v, "loop": args.loop}))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.3)
    ap.add_argument("--sizes", default="64")
    ap.add_argument("--transports", default="inproc,ipc,tcp")
    ap.add_argument("--tests", default="lat,thr")
    ap.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    ap.add_argument("--baseline", metavar="DIR",
                    help="also run DIR/nnpy (another version) as nnpy-before")
    ap.add_argument("--out")
    ap.add_argument("--one", nargs=4, metavar=("IMPL", "TEST", "TRANSPORT", "SIZE"),
                    help="one cell (impl async-nnpy, async-pyzmq or async-pynng), as a "
                         "JSON line for compare.py")
    args = ap.parse_args()
    if args.one:
        return one(args)
    libs = LIBS
    if args.baseline:
        global BEFORE
        BEFORE = load_baseline(args.baseline)
        libs = LIBS + ("nnpy-before",)
    if args.loop == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    tmp = tempfile.mkdtemp(prefix="abench")
    cells = [(t, tr, int(sz)) for t in args.tests.split(",")
             for tr in args.transports.split(",") for sz in args.sizes.split(",")]
    results: Dict[Tuple[str, str, int], List[Dict[str, float]]] = {c: [] for c in cells}
    out = open(args.out, "a") if args.out else None
    if out:
        out.write(json.dumps(meta(args, libs)) + "\n")
    for rnd in range(args.rounds):
        for c in cells:
            k = rnd % len(libs)
            order = libs[k:] + libs[:k]
            row: Dict[str, float] = {}
            for lib in order:
                row[lib] = loop.run_until_complete(cell(lib, *c, args.seconds, tmp))
            results[c].append(row)
            rec = dict(round=rnd, test=c[0], transport=c[1], size=c[2], loop=args.loop, **row)
            print(json.dumps(rec), flush=True)
            if out:
                out.write(json.dumps(rec) + "\n")
    print()
    before = "nnpy-before" in libs
    print("| cell | nnpy | pyzmq | pynng | ratio median [range] |"
          + (" nnpy-before | after/before median [range] |" if before else ""))
    print("|---|---|---|---|---|" + ("---|---|" if before else ""))
    for (test, tr, size), rows in results.items():
        rs = [ratio(test, r["nnpy"], [r["pyzmq"], r["pynng"]]) for r in rows]
        unit = "µs" if test == "lat" else "msg/s"

        def med(lib: str) -> str:
            v = statistics.median(r[lib] for r in rows)
            return "%.1f %s" % (v, unit) if test == "lat" else "%.0f" % v
        line = "| %s %s %d B | %s | %s | %s | %.2f [%.2f–%.2f] |" % (
            test, tr, size, med("nnpy"), med("pyzmq"), med("pynng"),
            statistics.median(rs), min(rs), max(rs))
        if before:
            bs = [ratio(test, r["nnpy"], [r["nnpy-before"]]) for r in rows]
            line += " %s | %.2f [%.2f–%.2f] |" % (med("nnpy-before"), statistics.median(bs),
                                                  min(bs), max(bs))
        print(line)
    if out:
        out.write(json.dumps({"meta": "end", "load": " ".join(
            "%.2f" % x for x in os.getloadavg())}) + "\n")
        out.close()
    loop.close()
    return 0


def meta(args: argparse.Namespace, libs: Tuple[str, ...]) -> Dict[str, Any]:
    """What a results file needs to be read later: tree, machine, load."""
    import platform
    import subprocess
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        tree = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=here,
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        tree = "?"
    return {"meta": "start", "tree": tree, "libs": list(libs), "baseline": args.baseline,
            "loop": args.loop, "rounds": args.rounds, "seconds": args.seconds,
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "load": " ".join("%.2f" % x for x in os.getloadavg())}


if __name__ == "__main__":
    sys.exit(main())
