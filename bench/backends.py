#!/usr/bin/env python3
"""The poll(2) backend against epoll, through the C API, in one run.

Three builds of our core (bench/c, ``make -C bench/c backends``):
  epoll   the Linux build (c-ours)
  pollbe  the poll backend with Linux's other calls kept (c-pollbe):
          the backend's own cost
  poll    the portable build, NN_PORTABLE=1 (c-poll): poll backend plus
          every POSIX fallback, as on macOS/BSD minus their SO_NOSIGPIPE

With --base-build DIR (bench/c/build of another tree, e.g. the commit
before the seam), that tree's nnbench-ours/manybench-ours run too, as
"base": the epoll/base column says whether the Linux build regressed.

Cells: REQ/REP round trip (``lat``) and PUSH/PULL throughput (``thr``)
over ipc and tcp, and one REP server with many REQ clients (``many``,
bench/c/manybench.c). Every round runs every cell with all three builds
back to back, in an order that rotates each round; ratios are computed
per round, from runs made side by side.

    python3 bench/backends.py [--rounds 5] [--seconds 0.3] [--out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLS: Tuple[str, ...] = ("epoll", "pollbe", "poll")
BASE = [""]
SUFFIX = {"epoll": "ours", "pollbe": "pollbe", "poll": "poll"}
Cell = Tuple[str, str, int]   # test, transport, size (clients for "many")


def cells(sizes: List[int], clients: int) -> List[Cell]:
    out: List[Cell] = []
    for transport in ("ipc", "tcp"):
        for size in sizes:
            out += [("lat", transport, size), ("thr", transport, size)]
        out.append(("many", transport, clients))
    return out


def run_cell(build: str, impl: str, cell: Cell, seconds: float) -> Optional[Dict[str, Any]]:
    test, transport, n = cell
    if impl == "base":
        build, impl = BASE[0], "epoll"
    if test == "many":
        cmd = [os.path.join(build, "manybench-" + SUFFIX[impl]), transport, str(n), str(seconds)]
    else:
        cmd = [os.path.join(build, "nnbench-" + SUFFIX[impl]), test, transport, str(n), str(seconds)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        print("timeout: %s" % " ".join(cmd), file=sys.stderr)
        return None
    if r.returncode != 0 or not r.stdout.strip():
        print("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr[-500:]), file=sys.stderr)
        return None
    rec = json.loads(r.stdout.strip().splitlines()[-1])
    return rec


def speed(rec: Dict[str, Any]) -> float:
    """Higher is better: round trips/s from the median latency, or msgs/s."""
    return 1e6 / rec["median_us"] if rec["test"] == "lat" else rec["msgs_s"]


def shown(rec: Dict[str, Any]) -> str:
    if rec["test"] == "lat":
        return "%.1f µs" % rec["median_us"]
    return "%.0fk/s" % (rec["msgs_s"] / 1e3)


def label(cell: Cell) -> str:
    test, transport, n = cell
    if test == "many":
        return "%s REP + %d REQ clients, round trips" % (transport, n)
    what = "round trip (median)" if test == "lat" else "throughput"
    return "%s %s B %s" % (transport, n, what)


def table(recs: List[Dict[str, Any]], all_cells: List[Cell], rounds: int) -> str:
    by: Dict[Tuple[Cell, str, int], Dict[str, Any]] = {}
    for r in recs:
        size = r["clients"] if r["test"] == "many" else r["size"]
        by[((r["test"], r["transport"], size), r["backend"], r["round"])] = r
    has_base = any(r["backend"] == "base" for r in recs)
    impls = IMPLS + (("base",) if has_base else ())
    lines = ["| cell | epoll | pollbe | poll | pollbe/epoll | poll/epoll | poll/epoll per round |"
             + (" epoll/base |" if has_base else ""),
             "|---|---|---|---|---|---|---|" + ("---|" if has_base else "")]
    for c in all_cells:
        med = {}
        for impl in impls:
            got = [by[(c, impl, k)] for k in range(rounds) if (c, impl, k) in by]
            if not got:
                med[impl] = "failed"
                continue
            if c[0] == "lat":
                med[impl] = "%.1f µs" % statistics.median(g["median_us"] for g in got)
            else:
                med[impl] = "%.0fk/s" % (statistics.median(g["msgs_s"] for g in got) / 1e3)
        ratio_cols = []
        per_round = ""
        pairs = [("pollbe", "epoll"), ("poll", "epoll")] + ([("epoll", "base")] if has_base else [])
        for impl, ref in pairs:
            rs = [speed(by[(c, impl, k)]) / speed(by[(c, ref, k)]) for k in range(rounds)
                  if (c, impl, k) in by and (c, ref, k) in by]
            if not rs:
                ratio_cols.append("-")
                continue
            ratio_cols.append("%.2f [%.2f–%.2f]" % (statistics.median(rs), min(rs), max(rs)))
            if impl == "poll":
                per_round = " ".join("%.2f" % x for x in rs)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label(c), med["epoll"], med["pollbe"], med["poll"], ratio_cols[0], ratio_cols[1],
            per_round) + (" %s |" % ratio_cols[2] if has_base else ""))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.3)
    ap.add_argument("--sizes", default="64,65536")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--cbuild", default=os.path.join(HERE, "c", "build"))
    ap.add_argument("--base-build", default="", help="bench/c/build of a baseline tree")
    ap.add_argument("--out", default="", help="JSON lines of every run")
    ap.add_argument("--report", default="", help="print the table of a saved run")
    a = ap.parse_args()
    all_cells = cells([int(s) for s in a.sizes.split(",")], a.clients)
    if a.report:
        with open(a.report) as f:
            recs = [json.loads(line) for line in f if line.strip()]
        print(table(recs, all_cells, 1 + max(r["round"] for r in recs)))
        return 0
    impls = IMPLS
    if a.base_build:
        BASE[0] = a.base_build
        impls = IMPLS + ("base",)
    out = a.out or "/tmp/nnpy-backends-%d.jsonl" % int(time.time())
    recs: List[Dict[str, Any]] = []
    with open(out, "w") as f:
        for k in range(a.rounds):
            j = k % len(impls)
            order = impls[j:] + impls[:j]
            for c in all_cells:
                for impl in order:
                    rec = run_cell(a.cbuild, impl, c, a.seconds)
                    if rec is None:
                        continue
                    rec["round"] = k
                    rec["backend"] = impl
                    recs.append(rec)
                    f.write(json.dumps(rec) + "\n")
                    f.flush()
            print("round %d done, load %.2f" % (k + 1, os.getloadavg()[0]), file=sys.stderr)
    print(table(recs, all_cells, a.rounds))
    print("\nraw: %s" % out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
