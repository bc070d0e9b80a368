"""One side of a link-fault test, run inside a network namespace:

    ip netns exec NS python nfpeer.py JSON

JSON: {"side": "server" | "client", "host": "169.254.x.y", "transport": "tcp",
       "roles": ["reqrep", "pushpull", "pair"], "size": 1024, "count": 0,
       "seq0": 0 (first sequence number a client sends),
       "interval_ms": 20, "timeout_ms": 1000, "resend_ms": 500,
       "addrs": {"reqrep": "tcp://..."} (client side only)}

The server binds one socket per role on a free port of its address and
prints ``{"ready": {"reqrep": ADDR, ...}}``; the client connects to those
and prints ``{"ready": {}}``. Both then run every role in a thread of its
own until a line "stop" (or EOF) arrives on stdin, then print ``{"result": {role: stats}}``
and exit. A line "count" instead makes a server print how many messages
each stream has received so far: ``{"counts": {role: n}}``; a client with
count > 0 prints ``{"finished": T}`` once it has sent them all. Times are
CLOCK_MONOTONIC seconds, shared by every process on
the machine, so the test can line them up with the faults it made.

Messages carry their sequence number, length and a body derived from the
number, so the receiver detects corruption, loss, duplication and reordering.
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time

import nnpy

HEAD = struct.Struct(">QQ")   # sequence number, body length


def message(seq: int, size: int) -> bytes:
    return HEAD.pack(seq, size) + random.Random(seq).randbytes(size)


def check(data: bytes):
    """(seq, ok) of a received message; ok False when corrupt."""
    if len(data) < HEAD.size:
        return -1, False
    seq, size = HEAD.unpack_from(data)
    return seq, len(data) == HEAD.size + size and data == message(seq, size)


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Calls:
    """Durations of blocking calls, against the timeout they were given."""

    def __init__(self, timeout_ms: int):
        self.timeout = timeout_ms / 1000.0
        self.worst_over = 0.0   # longest time a call took beyond its timeout
        self.timeouts = 0

    def run(self, fn, *args):
        t0 = time.monotonic()
        try:
            return fn(*args)
        except nnpy.NNError as e:
            if e.error_no == nnpy.ETIMEDOUT:
                self.timeouts += 1
            raise
        finally:
            self.worst_over = max(self.worst_over, time.monotonic() - t0 - self.timeout)

    def stats(self):
        return {"worst_over_s": round(self.worst_over, 3), "timeouts": self.timeouts}


class Receiver:
    """Checks a stream of numbered messages as it arrives."""

    def __init__(self):
        self.last = -1
        self.got = 0
        self.corrupt = 0
        self.dup_or_reorder = 0
        self.gaps = 0
        self.arrivals = []   # (monotonic time, seq), for resume latencies

    def take(self, data: bytes):
        seq, ok = check(data)
        self.arrivals.append((round(time.monotonic(), 4), seq))
        if not ok:
            self.corrupt += 1
            return
        if seq <= self.last:
            self.dup_or_reorder += 1
            return
        if seq != self.last + 1:
            self.gaps += 1
        self.last = seq
        self.got += 1

    def stats(self):
        return {"got": self.got, "last": self.last, "corrupt": self.corrupt,
                "dup_or_reorder": self.dup_or_reorder, "gaps": self.gaps,
                "arrivals": self.arrivals}


def make(cfg, proto):
    s = nnpy.Socket(nnpy.AF_SP, proto)
    t = cfg.get("timeout_ms", 1000)
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, t)
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, t)
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVMAXSIZE, -1)
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.RECONNECT_IVL, cfg.get("reconnect_ms", 100))
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.RECONNECT_IVL_MAX, cfg.get("reconnect_max_ms", 1000))
    return s


# -- roles: each runs until `stop` is set, then returns its stats -----------

def serve_reqrep(cfg, s, stop):
    calls, served = Calls(cfg["timeout_ms"]), 0
    while not stop.is_set():
        try:
            data = calls.run(s.recv)
        except nnpy.NNError:
            continue
        try:
            calls.run(s.send, data)
            served += 1
        except nnpy.NNError:
            pass
    return dict(calls.stats(), served=served)


def serve_stream(cfg, s, stop, rx):
    calls = Calls(cfg["timeout_ms"])
    while not stop.is_set():
        try:
            rx.take(calls.run(s.recv))
        except nnpy.NNError:
            pass
    return dict(calls.stats(), **rx.stats())


def client_reqrep(cfg, s, stop):
    """Each request until its reply: a recv that times out is retried
    (the request stays active and REQ resends it)."""
    calls, done, latencies, wrong = Calls(cfg["timeout_ms"]), [], [], 0
    seq = cfg.get("seq0", 0)
    while not stop.is_set() and (cfg["count"] == 0 or len(done) < cfg["count"]):
        msg = message(seq, cfg["size"])
        t0 = time.monotonic()
        try:
            calls.run(s.send, msg)
        except nnpy.NNError:
            continue
        while not stop.is_set():
            try:
                reply = calls.run(s.recv)
            except nnpy.NNError:
                continue
            if reply != msg:
                wrong += 1
                continue
            done.append((round(time.monotonic(), 4), seq))
            latencies.append(time.monotonic() - t0)
            seq += 1
            break
        pause(cfg, stop)
    return dict(calls.stats(), completed=len(done), wrong_replies=wrong, done=done,
                max_latency_s=round(max(latencies, default=0), 3))


def client_stream(cfg, s, stop):
    """Numbered messages; a send that times out is retried with the same
    number, so the receiver must see every number in order."""
    calls, seq, sent_at = Calls(cfg["timeout_ms"]), cfg.get("seq0", 0), []
    while not stop.is_set() and (cfg["count"] == 0 or len(sent_at) < cfg["count"]):
        try:
            calls.run(s.send, message(seq, cfg["size"]))
        except nnpy.NNError:
            continue
        sent_at.append(round(time.monotonic(), 4))
        seq += 1
        pause(cfg, stop)
    return dict(calls.stats(), sent=len(sent_at))


def pause(cfg, stop):
    if cfg.get("interval_ms"):
        stop.wait(cfg["interval_ms"] / 1000.0)


ROLES = {
    # role: (server protocol, server loop, client protocol, client loop)
    "reqrep": (nnpy.REP, serve_reqrep, nnpy.REQ, client_reqrep),
    "pushpull": (nnpy.PULL, serve_stream, nnpy.PUSH, client_stream),
    "pair": (nnpy.PAIR, serve_stream, nnpy.PAIR, client_stream),
}


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    cfg = json.loads(sys.argv[1])
    cfg.setdefault("count", 0)
    cfg.setdefault("size", 64)
    cfg.setdefault("timeout_ms", 1000)
    server = cfg["side"] == "server"
    # Never outlive a test that forgot us.
    watchdog = threading.Timer(cfg.get("deadline_s", 120), lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    # The core's own descriptors (I/O thread, wake-ups) come with the first
    # socket: one stays open so they are part of the baseline.
    keep = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    base = fds()
    socks, addrs = {}, {}
    for role in cfg["roles"]:
        sproto, _, cproto, _ = ROLES[role]
        s = make(cfg, sproto if server else cproto)
        if role == "reqrep" and not server:
            s.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, cfg.get("resend_ms", 500))
        if server:
            addrs[role] = "%s://%s:%d" % (cfg["transport"], cfg["host"], free_port(cfg["host"]))
            s.bind(addrs[role])
        else:
            s.connect(cfg["addrs"][role])
        socks[role] = s
    stop = threading.Event()
    results, threads = {}, []
    receivers = {}
    for role, s in socks.items():
        loop = ROLES[role][1] if server else ROLES[role][3]
        args = (cfg, s, stop)
        if loop is serve_stream:
            receivers[role] = Receiver()
            args += (receivers[role],)

        def run(role=role, loop=loop, args=args):
            results[role] = loop(*args)
        threads.append(threading.Thread(target=run, daemon=True))
    say({"ready": addrs, "t": time.monotonic()})
    for t in threads:
        t.start()
    if cfg["count"] > 0 and not server:
        for t in threads:
            t.join()
        say({"finished": time.monotonic()})
    # Closing drops what is not yet written (as libnanomsg does), so a
    # client stays open until the test has seen everything arrive.
    for line in sys.stdin:
        if line.strip() != "count":
            break
        say({"counts": {role: rx.got for role, rx in receivers.items()}})
    stop.set()
    for t in threads:
        t.join(cfg["timeout_ms"] / 1000.0 * 3 + 5)
    t0 = time.monotonic()
    for s in socks.values():
        s.close()
    close_s = time.monotonic() - t0
    # Connections finish closing on the I/O thread: give them a moment.
    end = time.monotonic() + 3
    while fds() != base and time.monotonic() < end:
        time.sleep(0.02)
    say({"result": results, "fds_base": base, "fds_after": fds(),
         "close_s": round(close_s, 3), "stuck": [t.name for t in threads if t.is_alive()]})
    keep.close()
    os._exit(0)


if __name__ == "__main__":
    main()
