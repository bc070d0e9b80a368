#!/usr/bin/env python3
"""Side-by-side runs of our nnpy / C core against nnpy 1.4.2 / libnanomsg.

    python3 bench/compare.py [--rounds 5] [--seconds 0.2] [--levels py,c,async]
    python3 bench/compare.py --levels ws,many,mem [--clients 1000]   # issue 10's cells
                             [--transports inproc,ipc,tcp] [--sizes 64,4096,65536,1048576]
                             [--out results.jsonl] [--md table.md]
    python3 bench/compare.py --report results.jsonl      # tables only
    python3 bench/compare.py --levels c --report a.jsonl --report b.jsonl
                              # pool the rounds of several runs of one level

Needs what ``bench/run.sh`` sets up: two venvs (``VENV_OURS`` with our
package, ``VENV_ORIG`` with nnpy 1.4.2 over Debian's libnanomsg) and the C
programs in ``bench/c/build`` (``CBUILD``).

Both sides run alternately in the same run: round after round, cell by
cell, the two implementations of a cell run back to back, and which one
goes first flips every round, so load from other processes on this shared
machine falls on both alike.  Each table cell is the median over rounds;
each ratio is the median of the per-round ratios ours/theirs.
Latency ratios below 1 and throughput ratios above 1 mean we are faster.

The levels ``ws``, ``many`` and ``mem`` are the cells of issue 10 (see
``CELLS``); each is measured against every peer that has the feature, and
the ratio of a round is ours against the best peer of that round.

Every child runs under a time limit; a run that fails is recorded with its
error and shown as such (``n/a`` when the library refused the transport).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (64, 4096, 65536, 1048576)
TRANSPORTS = ("inproc", "ipc", "tcp")
ORDER = TRANSPORTS + ("ws",)   # ws is measured only by the ws level
RUN_TIMEOUT_S = 90

# impl -> (level, side).  "raw" is the plain-socket floor, not a contender.
IMPLS = {
    "py-ours": ("py", "ours"), "py-orig": ("py", "theirs"),
    "c-ours": ("c", "ours"), "c-libnanomsg": ("c", "theirs"), "raw": ("c", "floor"),
    "async-nnpy": ("async", "ours"), "async-pyzmq": ("async", "theirs"),
    "async-pynng": ("async", "theirs"),
    "py-pyzmq": ("py", "theirs"), "py-pynng": ("py", "theirs"),
}
ASYNC = ("async-nnpy", "async-pyzmq", "async-pynng")
ASYNC_TARGET = 1.2   # issue 8: at least 1.2x the best of pyzmq and pynng

# Issue 10's cells.  level -> (tests, transports, sizes or None for the
# level's own fixed size); the peers of each side are below.
CELLS = {
    "ws": (("lat", "thr"), ("ws",), (64, 65536)),
    "many": (("many",), ("tcp", "ipc"), None),
    "mem": (("mem",), ("tcp", "ipc"), None),
}
# Who has the feature: pyzmq has no ws transport that speaks nanomsg's
# (libzmq's ws is a draft and carries ZMTP), so it is no ws peer.
PY_PEERS = {"ws": ("py-orig", "py-pynng"), "many": ("py-orig", "py-pyzmq", "py-pynng"),
            "mem": ("py-orig", "py-pyzmq", "py-pynng")}
CELL_TARGET = {"thr": 1.2, "many": 1.2, "lat": 1.0, "mem": 1.0}


def level_of(r: Dict[str, Any]) -> str:
    """The level a record was measured by."""
    if r.get("transport") == "ws":
        return "ws"
    if r.get("test") in ("many", "mem"):
        return r["test"]
    return IMPLS.get(r.get("impl", ""), ("?",))[0]


def size_name(n: int) -> str:
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return "%d MiB" % (n >> 20)
    if n >= 1024 and n % 1024 == 0:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


# ---- running -------------------------------------------------------------------

def run(cmd: List[str], env: Optional[Dict[str, str]] = None) -> Tuple[List[Dict[str, Any]], int, str]:
    """(JSON records printed, exit status, stderr tail) of one child."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=RUN_TIMEOUT_S, env=env, cwd="/")
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = e.stdout or b"", b"timed out after %ds" % RUN_TIMEOUT_S, -1
    recs = []
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass
    return recs, rc, err.decode(errors="replace").strip()[-300:]


def failed(impl: str, test: str, transport: str, size: int, rc: int, err: str) -> Dict[str, Any]:
    return dict(impl=impl, test=test, transport=transport, size=size,
                error="unsupported" if rc == 2 else "exit %d: %s" % (rc, err))


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.py = {"py-ours": os.path.join(args.venv_ours, "bin", "python"),
                   "py-orig": os.path.join(args.venv_orig, "bin", "python")}
        self.c = {"c-ours": os.path.join(args.cbuild, "nnbench-ours"),
                  "c-libnanomsg": os.path.join(args.cbuild, "nnbench-sys")}
        self.raw = os.path.join(args.cbuild, "rawbench")
        self.many = {"c-ours": os.path.join(args.cbuild, "manybench-ours"),
                     "c-libnanomsg": os.path.join(args.cbuild, "manybench-sys")}
        self.env = dict(os.environ)
        self.env.pop("PYTHONPATH", None)  # the venv alone decides which nnpy

    def interp(self, impl: str) -> str:
        """py-orig runs in its own venv; every other Python side in ours."""
        return self.py["py-orig" if impl == "py-orig" else "py-ours"]

    def py_cell(self, impl: str, transport: str, size: int, tests: str) -> List[Dict[str, Any]]:
        cmd = [self.interp(impl), os.path.join(HERE, "pybench.py"), "--transport", transport,
               "--size", str(size), "--tests", tests, "--seconds", str(self.a.seconds),
               "--label", impl]
        if impl == "py-pynng":
            cmd += ["--lib", "pynng"]
        recs, rc, err = run(cmd, self.env)
        done = {r["test"] for r in recs}
        for t in tests.split(","):
            if t not in done:
                recs.append(failed(impl, t, transport, size, rc, err))
        return recs

    def c_cell(self, impl: str, test: str, transport: str, size: int) -> List[Dict[str, Any]]:
        prog = self.raw if impl == "raw" else self.c[impl]
        recs, rc, err = run([prog, test, transport, str(size), str(self.a.seconds)])
        if not recs or rc != 0:
            return [failed(impl, test, transport, size, rc, err)]
        return recs

    def async_cell(self, impl: str, test: str, transport: str, size: int) -> List[Dict[str, Any]]:
        cmd = [self.py["py-ours"], os.path.join(HERE, "async_bench.py"), "--seconds",
               str(self.a.seconds), "--one", impl, test, transport, str(size)]
        recs, rc, err = run(cmd, self.env)
        if not recs or rc != 0:
            return [failed(impl, test, transport, size, rc, err)]
        return recs

    def many_cell(self, impl: str, test: str, transport: str) -> List[Dict[str, Any]]:
        """manybench (C) or manypy (Python): test many = load, mem = idle."""
        mode = "load" if test == "many" else "idle"
        if impl in self.many:
            cmd = [self.many[impl], transport, str(self.a.clients), str(self.a.seconds), mode]
        else:
            lib = {"py-pyzmq": "pyzmq", "py-pynng": "pynng"}.get(impl, "nnpy")
            cmd = [self.interp(impl), os.path.join(HERE, "manypy.py"), "--lib", lib, "--mode", mode,
                   "--transport", transport, "--clients", str(self.a.clients),
                   "--seconds", str(self.a.seconds), "--label", impl]
        recs, rc, err = run(cmd, self.env)
        size = 64 if test == "many" else 0
        if not recs or rc != 0:
            return [failed(impl, test, transport, size, rc, err)]
        for r in recs:
            r["impl"] = impl
        return recs

    def cells(self, k: int) -> Iterable[Dict[str, Any]]:
        """Issue 10's cells: C ours vs libnanomsg, then Python nnpy vs its
        peers; the order of the contenders rotates with the round."""
        def rot(xs: Tuple[str, ...]) -> Tuple[str, ...]:
            return xs[k % len(xs):] + xs[:k % len(xs)]

        for level in ("ws", "many", "mem"):
            if level not in self.a.levels:
                continue
            tests, transports, sizes = CELLS[level]
            py = ("py-ours",) + PY_PEERS[level]
            for transport in transports:
                for size in sizes or (0,):
                    for test in tests:
                        for impl in rot(("c-ours", "c-libnanomsg")):
                            if level == "ws":
                                yield from self.c_cell(impl, test, transport, size)
                            else:
                                yield from self.many_cell(impl, test, transport)
                    if level == "ws":
                        for impl in rot(py):
                            yield from self.py_cell(impl, transport, size, ",".join(tests))
                    else:
                        for impl in rot(py):
                            yield from self.many_cell(impl, tests[0], transport)

    def round(self, k: int) -> Iterable[Dict[str, Any]]:
        """One round: every cell, both sides back to back; who goes first
        alternates with the round number."""
        flip = k % 2 == 1

        def pair(a: str, b: str) -> Tuple[str, str]:
            return (b, a) if flip else (a, b)

        levels = self.a.levels
        yield from self.cells(k)
        for transport in self.a.transports:
            for size in self.a.sizes:
                if "py" in levels:
                    for impl in pair("py-ours", "py-orig"):
                        yield from self.py_cell(impl, transport, size, "lat,thr")
                if "c" in levels:
                    for test in ("lat", "thr"):
                        for impl in pair("c-ours", "c-libnanomsg"):
                            yield from self.c_cell(impl, test, transport, size)
                        if transport != "inproc" and self.a.raw:
                            yield from self.c_cell("raw", test, transport, size)
                if "async" in levels:
                    # Three contenders: the order rotates with the round.
                    order = ASYNC[k % 3:] + ASYNC[:k % 3]
                    for test in ("lat", "thr"):
                        for impl in order:
                            yield from self.async_cell(impl, test, transport, size)
        if "inproc" in self.a.transports:
            if "py" in levels:
                for impl in pair("py-ours", "py-orig"):
                    yield from self.py_cell(impl, "inproc", 64, "loop")
            if "c" in levels:
                for impl in pair("c-ours", "c-libnanomsg"):
                    yield from self.c_cell(impl, "loop", "inproc", 64)


# ---- report ----------------------------------------------------------------------

def fmt(v: Optional[float]) -> str:
    if v is None:
        return "–"
    if v >= 1e6:
        return "%.2fM" % (v / 1e6)
    if v >= 1e4:
        return "%.0fk" % (v / 1e3)
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


Key = Tuple[str, str, int]  # test, transport, size


def index(recs: List[Dict[str, Any]]) -> Dict[Tuple[str, Key], Dict[int, Dict[str, Any]]]:
    """(impl, key) -> round -> record."""
    out: Dict[Tuple[str, Key], Dict[int, Dict[str, Any]]] = {}
    for r in recs:
        out.setdefault((r["impl"], (r["test"], r["transport"], r["size"])), {})[r.get("round", 0)] = r
    return out


def values(idx: Any, impl: str, key: Key, field: str) -> Dict[int, float]:
    return {k: r[field] for k, r in idx.get((impl, key), {}).items() if field in r}


def error_of(idx: Any, impl: str, key: Key) -> Optional[str]:
    rs = idx.get((impl, key), {})
    errs = [r["error"] for r in rs.values() if "error" in r]
    if rs and len(errs) == len(rs):
        return "n/a" if errs[0] == "unsupported" else "failed"
    return None


def cell(idx: Any, impl: str, key: Key, field: str) -> str:
    v = values(idx, impl, key, field)
    if not v:
        return error_of(idx, impl, key) or "–"
    return fmt(statistics.median(v.values()))


def ratios(idx: Any, a: str, b: str, key: Key, field: str) -> List[float]:
    """Per-round ratios a/b, for the rounds where both ran."""
    va, vb = values(idx, a, key, field), values(idx, b, key, field)
    return [va[k] / vb[k] for k in va if k in vb and vb[k] > 0]


def ratio(idx: Any, a: str, b: str, key: Key, field: str) -> Optional[float]:
    rs = ratios(idx, a, b, key, field)
    return statistics.median(rs) if rs else None


def ratio_cell(idx: Any, a: str, b: str, key: Key, field: str) -> str:
    """Median of the per-round ratios, with their range when there are several."""
    rs = ratios(idx, a, b, key, field)
    if not rs:
        return "–"
    if len(rs) == 1:
        return fmt(rs[0])
    return "%s (%s–%s)" % (fmt(statistics.median(rs)), fmt(min(rs)), fmt(max(rs)))


def verdict(r: Optional[float], lower_is_better: bool) -> str:
    if r is None:
        return ""
    ok = r <= 1.0 if lower_is_better else r >= 1.0
    return "yes" if ok else "**no**"


def async_table(recs: List[Dict[str, Any]]) -> str:
    """nnpy's arecv/asend against the best of zmq.asyncio and pynng, per round."""
    idx = index(recs)
    keys = sorted({k for (i, k) in idx if i in ASYNC},
                  key=lambda k: (k[0], TRANSPORTS.index(k[1]), k[2]))
    if not keys:
        return ""
    lines = ["", "### Async (asyncio): nnpy arecv/asend vs zmq.asyncio and pynng", "",
             "Ratio: per round, nnpy against the best of the other two (latency: theirs/ours,",
             "throughput: ours/theirs); median (range). Target: %.1f or more." % ASYNC_TARGET, "",
             "| cell | nnpy | pyzmq | pynng | ratio | ≥ %.1f |" % ASYNC_TARGET,
             "|---|---|---|---|---|---|"]
    met = total = 0
    for key in keys:
        test = key[0]
        field = "median_us" if test == "lat" else "msgs_s"
        ours = values(idx, "async-nnpy", key, field)
        others = [values(idx, i, key, field) for i in ASYNC[1:]]
        rs = []
        for k, v in ours.items():
            theirs = [o[k] for o in others if k in o and o[k] > 0]
            if theirs and v > 0:
                rs.append(min(theirs) / v if test == "lat" else v / max(theirs))
        if rs:
            med = statistics.median(rs)
            total += 1
            met += med >= ASYNC_TARGET
            rc = "%.2f (%.2f–%.2f)" % (med, min(rs), max(rs))
            ok = "yes" if med >= ASYNC_TARGET else "**no**"
        else:
            rc, ok = "–", ""
        unit = " µs" if test == "lat" else " msg/s"
        lines.append("| %s %s %s | %s | %s | %s | %s | %s |" % (
            test, key[1], size_name(key[2]), cell(idx, "async-nnpy", key, field) + unit,
            cell(idx, "async-pyzmq", key, field), cell(idx, "async-pynng", key, field), rc, ok))
    lines.append("")
    lines.append("Async cells at %.1f× or better (median): %d of %d." % (ASYNC_TARGET, met, total))
    return "\n".join(lines)


def best_ratios(idx: Any, ours: str, peers: Iterable[str], key: Key, field: str,
                lower_is_better: bool) -> Tuple[List[float], Dict[str, Dict[int, float]]]:
    """Per-round ratios of ours against the best peer of that round, as
    "times better" (> 1: ours is better), and each peer's values."""
    mine = values(idx, ours, key, field)
    others = {p: values(idx, p, key, field) for p in peers}
    rs = []
    for k, v in mine.items():
        theirs = [o[k] for o in others.values() if k in o and o[k] > 0]
        if theirs and v > 0:
            rs.append(min(theirs) / v if lower_is_better else v / max(theirs))
    return rs, others


def cells_table(recs: List[Dict[str, Any]]) -> str:
    """Issue 10's cells (levels ws, many, mem): ours against the best peer
    that has the feature, per round."""
    idx = index(recs)
    cell_recs = [r for r in recs if level_of(r) in CELLS]
    if not cell_recs:
        return ""
    keys = sorted({(r["test"], r["transport"], r["size"]) for r in cell_recs},
                  key=lambda k: (("lat", "thr", "many", "mem").index(k[0]), ORDER.index(k[1]), k[2]))
    peer_names = {"c-libnanomsg": "libnanomsg", "py-orig": "nnpy 1.4.2", "py-pyzmq": "pyzmq",
                  "py-pynng": "pynng"}
    rows = [("C", "c-ours", ("c-libnanomsg",)), ("Python", "py-ours", None)]
    lines = ["", "### Issue 10 cells: ws, REP with many REQ clients, memory per idle connection", "",
             "Ratio: per round, ours against the best peer of that round, as times better "
             "(latency and bytes: theirs/ours; messages/s: ours/theirs); median (range). "
             "Targets: %.1f for throughput and requests/s, %.1f (no worse) for round trips "
             "and memory." % (CELL_TARGET["thr"], CELL_TARGET["lat"]), "",
             "| level | cell | ours | peers (median) | ratio vs best | target | met |",
             "|---|---|---|---|---|---|---|"]
    met = total = 0
    for key in keys:
        test, transport, size = key
        # (field, unit, what, lower is better)
        fields = {"lat": [("median_us", " µs", "round trip", True)],
                  "thr": [("msgs_s", " msg/s", "throughput", False)],
                  "many": [("msgs_s", " req/s", "1 REP, %d REQ", False),
                           ("server_cpu_us", " µs", "1 REP, %d REQ, server CPU/request", True)],
                  "mem": [("server_bytes_per_conn", " B", "%d idle REQ, server B/conn", True),
                          ("client_bytes_per_conn", " B", "%d idle REQ, client B/conn", True)]}[test]
        level = "ws" if transport == "ws" else test
        for lv, ours, peers in rows:
            if (ours, key) not in idx:
                continue
            peers = peers or PY_PEERS[level]
            clients = next(iter(idx[(ours, key)].values())).get("clients", 0)
            for field, unit, what, lower in fields:
                if not values(idx, ours, key, field):
                    continue   # older records lack this field
                rs, _ = best_ratios(idx, ours, peers, key, field, lower)
                what = what % clients if "%d" in what else what
                name = "%s%s %s" % (transport, " " + size_name(size) if size else "", what)
                peer_txt = ", ".join("%s %s" % (peer_names[p], cell(idx, p, key, field))
                                     for p in peers if (p, key) in idx)
                # The server's CPU per request is shown, not scored: the
                # issue's target is the rate.
                target = None if field == "server_cpu_us" else CELL_TARGET[test]
                if rs and target is None:
                    rc = "%.2f (%.2f–%.2f)" % (statistics.median(rs), min(rs), max(rs)) \
                        if len(rs) > 1 else "%.2f" % rs[0]
                    ok = ""
                elif rs:
                    med = statistics.median(rs)
                    total += 1
                    met += med >= target
                    rc = "%.2f (%.2f–%.2f)" % (med, min(rs), max(rs)) if len(rs) > 1 else "%.2f" % med
                    ok = "yes" if med >= target else "**no**"
                else:
                    rc, ok = "–", ""
                lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                    lv, name, cell(idx, ours, key, field) + unit,
                    peer_txt, rc, "–" if target is None else "%.1f" % target, ok))
    lines.append("")
    lines.append("Issue 10 cells at target (median): %d of %d." % (met, total))
    return "\n".join(lines)


def tables(recs: List[Dict[str, Any]], meta: Dict[str, Any]) -> str:
    rounds = len({r.get("round", 0) for r in recs})
    recs = [r for r in recs if level_of(r) not in CELLS]
    idx = index(recs)
    keys = sorted({k for (_, k) in idx}, key=lambda k: (ORDER.index(k[1]), k[2]))
    lines: List[str] = []
    add = lines.append
    tally = {"py": [0, 0], "c": [0, 0]}

    def score(level: str, v: str) -> None:
        if v:
            tally[level][1] += 1
            tally[level][0] += v == "yes"

    for level, ours, theirs, title in (("py", "py-ours", "py-orig", "Python: our nnpy vs nnpy 1.4.2 (libnanomsg 1.1.5)"),
                                       ("c", "c-ours", "c-libnanomsg", "C: our core vs libnanomsg 1.1.5 (same nnbench.c)")):
        lat = [k for k in keys if k[0] == "lat" and (ours, k) in idx]
        thr = [k for k in keys if k[0] == "thr" and (ours, k) in idx]
        if not lat and not thr:
            continue
        raw = level == "c" and any(i == "raw" for (i, _) in idx)
        add("### %s\n" % title)
        if lat:
            add("REQ/REP round trip, µs (median over rounds of each run's median / p99). "
                "Ratio = ours/theirs: median of the per-round ratios (their range); "
                "≤ 1.0 meets the target.\n")
            hdr = "| transport | size | theirs median | ours median | ratio | met | theirs p99 | ours p99 | p99 ratio |"
            sep = "|---|---|---|---|---|---|---|---|---|"
            if raw:
                hdr += " raw socket median | ours/raw |"
                sep += "---|---|"
            add(hdr)
            add(sep)
            for k in lat:
                r = ratio(idx, ours, theirs, k, "median_us")
                score(level, verdict(r, True))
                row = "| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    k[1], size_name(k[2]), cell(idx, theirs, k, "median_us"), cell(idx, ours, k, "median_us"),
                    ratio_cell(idx, ours, theirs, k, "median_us"), verdict(r, True), cell(idx, theirs, k, "p99_us"),
                    cell(idx, ours, k, "p99_us"), fmt(ratio(idx, ours, theirs, k, "p99_us")))
                if raw:
                    rr = ratio(idx, ours, "raw", k, "median_us")
                    row += " %s | %s |" % (cell(idx, "raw", k, "median_us") if k[1] != "inproc" else "",
                                           fmt(rr) if rr else "")
                add(row)
            add("")
        if thr:
            add("PUSH/PULL one-way throughput (median over rounds). "
                "Ratio = ours/theirs messages/s: median of the per-round ratios (their range); "
                "≥ 1.0 meets the target.\n")
            hdr = "| transport | size | theirs msg/s | ours msg/s | theirs MB/s | ours MB/s | ratio | met |"
            sep = "|---|---|---|---|---|---|---|---|"
            if raw:
                hdr += " raw socket msg/s | ours/raw |"
                sep += "---|---|"
            add(hdr)
            add(sep)
            for k in thr:
                r = ratio(idx, ours, theirs, k, "msgs_s")
                score(level, verdict(r, False))
                row = "| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    k[1], size_name(k[2]), cell(idx, theirs, k, "msgs_s"), cell(idx, ours, k, "msgs_s"),
                    cell(idx, theirs, k, "mb_s"), cell(idx, ours, k, "mb_s"),
                    ratio_cell(idx, ours, theirs, k, "msgs_s"), verdict(r, False))
                if raw:
                    rr = ratio(idx, ours, "raw", k, "msgs_s")
                    row += " %s | %s |" % (cell(idx, "raw", k, "msgs_s") if k[1] != "inproc" else "",
                                           fmt(rr) if rr else "")
                add(row)
            add("")

    loops = [(lv, o, t) for lv, o, t in (("Python", "py-ours", "py-orig"), ("C", "c-ours", "c-libnanomsg"))
             if (o, ("loop", "inproc", 64)) in idx]
    if loops:
        add("### Same-thread send+recv, inproc PAIR, 64 B (ns per message; no thread wake-up)\n")
        add("| level | theirs | ours | ratio |")
        add("|---|---|---|---|")
        k = ("loop", "inproc", 64)
        for lv, o, t in loops:
            r = ratio(idx, o, t, k, "ns_per_msg")
            add("| %s | %s | %s | %s |" % (lv, cell(idx, t, k, "ns_per_msg"), cell(idx, o, k, "ns_per_msg"),
                                           ratio_cell(idx, o, t, k, "ns_per_msg")))
        add("")

    head = ["Rounds: %d; %s." % (rounds, ", ".join("%s: %s" % kv for kv in meta.items()))]
    for level, name in (("py", "Python"), ("c", "C")):
        met, total = tally[level]
        if total:
            head.append("%s cells meeting the target: %d of %d measured." % (name, met, total))
    return "\n".join(head) + "\n\n" + "\n".join(lines)


# ---- main ------------------------------------------------------------------------

def machine() -> Dict[str, Any]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:  # which sources "ours" was built from
        root = os.path.dirname(HERE)
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        tree = rev + ("+uncommitted changes" if dirty else "") if rev else "?"
    except (OSError, subprocess.SubprocessError):
        tree = "?"
    return {"tree": tree, "cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version(), "load": "%.2f %.2f %.2f" % os.getloadavg()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.2, help="timed region per test")
    ap.add_argument("--budget", type=float, default=300, help="start no new round after this many seconds")
    ap.add_argument("--levels", default="py,c,async")
    ap.add_argument("--transports", default=",".join(TRANSPORTS))
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--clients", type=int, default=1000, help="REQ clients of the many and mem levels")
    ap.add_argument("--no-raw", dest="raw", action="store_false", help="skip the raw-socket floor")
    ap.add_argument("--venv-ours", default=os.environ.get("VENV_OURS", "/tmp/venv-ours"))
    ap.add_argument("--venv-orig", default=os.environ.get("VENV_ORIG", "/tmp/venv-orig"))
    ap.add_argument("--cbuild", default=os.environ.get("CBUILD", os.path.join(HERE, "c", "build")))
    ap.add_argument("--out", default="", help="JSON lines of every run (default: a file in /tmp)")
    ap.add_argument("--md", default="", help="also write the tables to this file")
    ap.add_argument("--report", action="append", default=[],
                    help="only print the tables of a saved --out file; given more than once, "
                         "pool the runs' rounds (only for runs of the same code: pick --levels)")
    a = ap.parse_args()
    a.levels = a.levels.split(",")
    a.transports = [t for t in a.transports.split(",") if t]
    a.sizes = [int(s) for s in a.sizes.split(",") if s]

    if a.report:
        recs = []
        meta: Dict[str, Any] = {}
        trees = []
        for path in a.report:
            with open(path) as f:
                run = [json.loads(line) for line in f if line.startswith("{")]
            offset = 1 + max((r.get("round", 0) for r in recs), default=-1)
            for r in run:
                if r.get("impl") == "meta":
                    meta.update((k, v) for k, v in r.items() if k not in ("impl", "test", "transport", "size"))
                    if "tree" in r:
                        trees.append(str(r["tree"]))
                elif r.get("impl") in IMPLS:
                    r["round"] = r.get("round", 0) + offset
                    recs.append(r)
        if len(a.report) > 1:
            meta["tree"] = " + ".join(trees)
        # Only the asked-for levels: pooled runs may differ in the others.
        recs = [r for r in recs if level_of(r) in a.levels]
        print(tables(recs, meta) + async_table(recs) + cells_table(recs))
        return 0

    out = a.out or "/tmp/nnpy-bench-%s.jsonl" % time.strftime("%Y%m%d-%H%M%S")
    meta = machine()
    meta.update(seconds=a.seconds)
    runner = Runner(a)
    recs: List[Dict[str, Any]] = []
    start = time.monotonic()
    with open(out, "w") as f:
        f.write(json.dumps(dict(impl="meta", test="", transport="", size=0, **meta)) + "\n")
        for k in range(a.rounds):
            if k and time.monotonic() - start > a.budget:
                print("budget of %.0f s used: stopping after %d rounds" % (a.budget, k), file=sys.stderr)
                break
            t0 = time.monotonic()
            for r in runner.round(k):
                r["round"] = k
                recs.append(r)
                f.write(json.dumps(r) + "\n")
                f.flush()
            print("round %d: %.0f s (load %.2f)" % (k + 1, time.monotonic() - t0, os.getloadavg()[0]),
                  file=sys.stderr)
        meta["load_end"] = "%.2f" % os.getloadavg()[0]
        meta["wall_s"] = round(time.monotonic() - start)
        f.write(json.dumps(dict(impl="meta", test="", transport="", size=0, load_end=meta["load_end"],
                                wall_s=meta["wall_s"])) + "\n")
    text = tables(recs, meta) + async_table(recs) + cells_table(recs)
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)
    print("records: %s" % out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
