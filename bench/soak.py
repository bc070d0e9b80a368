"""Soak run (not a test): REQ/REP and PUSH/PULL over tcp, ipc and ws for N
minutes, with clients that come and go and servers restarted at intervals.

Every message carries its client's id, a sequence number and a payload
derived from both, so the receiving side can tell lost, duplicated,
reordered and corrupted messages apart:

- REQ/REP: the client checks each reply against its request. A request
  whose reply has not come after --give-up seconds (REQ resends it meanwhile,
  also to the restarted server) is lost. Replies never come twice or out of
  order for REQ, so any is counted as such.
- PUSH/PULL: the puller (the server) tracks each pusher's sequence numbers.
  A number seen before is a duplicate, a smaller one than the last a
  reordering; what a pusher sent and the puller never got is lost (messages
  in flight when the puller restarts, or queued when a pusher closes, die
  with their connection, as in libnanomsg).

RSS and open descriptors of the process are sampled every --interval
seconds. Run it niced; it is I/O bound and keeps about half a core busy:

    nice python3 bench/soak.py --minutes 30 --json /tmp/soak.json
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import tempfile
import threading
import time

import nnpy

HDR = struct.Struct(">IIII")            # client id, seq, payload length, crc-ish
BLOCK = bytes(random.Random(7).getrandbits(8) for _ in range(1 << 18))
SIZES = [0, 16, 100, 1000, 4000, 16000]
BIG = 200000                            # now and then: the large-message path
SETTLE = 15                             # s after a pusher closed: all is in


def payload(cid, seq, rng):
    n = BIG if rng.random() < 0.002 else rng.choice(SIZES)
    off = (cid * 7919 + seq * 104729) % (len(BLOCK) - BIG)
    return HDR.pack(cid, seq, n, off) + BLOCK[off:off + n]


def parse(msg):
    """(cid, seq) of a message, or None if its payload is not what was sent."""
    if len(msg) < HDR.size:
        return None
    cid, seq, n, off = HDR.unpack_from(msg)
    if len(msg) != HDR.size + n or msg[HDR.size:] != BLOCK[off:off + n]:
        return None
    return cid, seq


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0           # messages (requests) handed to nnpy
        self.ok = 0             # replies / pulled messages that checked out
        self.lost = 0           # REQ/REP: requests given up on
        self.dup = 0
        self.reorder = 0
        self.corrupt = 0
        self.clients = 0        # client sockets opened so far
        self.restarts = 0       # server restarts so far
        # PUSH/PULL, per client id: what a closed pusher sent and when it
        # closed, and what the puller got (count, last seq). A client is
        # settled (its loss added up, its entries dropped, so memory stays
        # flat) SETTLE seconds after it closed.
        self.expect = {}
        self.seen = {}
        self.settled_lost = 0

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def settle(self, older_than):
        now = time.monotonic()
        with self.lock:
            for cid, (n, closed) in list(self.expect.items()):
                if now - closed >= older_than:
                    self.settled_lost += max(0, n - self.seen.pop(cid, [0])[0])
                    del self.expect[cid]

    def pull_lost(self):
        with self.lock:
            return self.settled_lost + sum(
                max(0, n - self.seen.get(cid, [0])[0])
                for cid, (n, _) in self.expect.items())

    def row(self, pattern):
        lost = self.lost if pattern == "reqrep" else self.pull_lost()
        return dict(sent=self.sent, ok=self.ok, lost=lost, dup=self.dup,
                    reorder=self.reorder, corrupt=self.corrupt,
                    clients=self.clients, restarts=self.restarts)


class Cell:
    """One transport x pattern: a server restarted at intervals and a few
    client slots, each opening a client, using it a while, closing it."""

    ids = iter(range(1, 1 << 31))
    ids_lock = threading.Lock()

    def __init__(self, transport, pattern, addr, args, stop, stop_servers):
        self.transport, self.pattern, self.addr = transport, pattern, addr
        # Clients stop first and finish what they started; the servers
        # stay up for that, so the end of the run loses nothing.
        self.args, self.stop, self.stop_servers = args, stop, stop_servers
        self.tally = Tally()
        self.serving = threading.Event()
        self.server_thread = threading.Thread(target=self.server, daemon=True)
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True)
                        for i in range(args.clients)]

    def new_id(self):
        with Cell.ids_lock:
            return next(Cell.ids)

    # ---- server --------------------------------------------------------

    def server(self):
        rng = random.Random(hash((self.transport, self.pattern)))
        proto = nnpy.REP if self.pattern == "reqrep" else nnpy.PULL
        while not self.stop_servers.is_set():
            s = nnpy.Socket(nnpy.AF_SP, proto)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 200)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 1000)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVMAXSIZE, -1)
            for _ in range(100):          # the old listener may linger a moment
                try:
                    s.bind(self.addr)
                    break
                except nnpy.NNError:
                    time.sleep(0.05)
            else:
                raise RuntimeError("cannot rebind %s" % self.addr)
            self.serving.set()
            until = time.monotonic() + self.args.restart * rng.uniform(0.5, 1.5)
            while time.monotonic() < until and not self.stop_servers.is_set():
                self.serve_one(s)
            if self.stop_servers.is_set() and self.pattern == "pushpull":
                self.drain(s)
            s.close()
            self.tally.add(restarts=1)
            time.sleep(rng.uniform(0.05, 0.5))      # down a moment
        self.tally.add(restarts=-1)     # the last close is not a restart

    def serve_one(self, s):
        try:
            msg = s.recv()
        except TimeoutError:
            return
        if self.pattern == "reqrep":
            try:
                s.send(msg)
            except nnpy.NNError:
                pass        # the client's REQ resends the request
            return
        self.pulled(msg)

    def pulled(self, msg):
        t = self.tally
        ids = parse(msg)
        if ids is None:
            t.add(corrupt=1)
            return
        cid, seq = ids
        with t.lock:
            st = t.seen.setdefault(cid, [0, -1])
            if seq == st[1]:
                t.dup += 1
            elif seq < st[1]:
                t.reorder += 1      # or a duplicate of an older one: as bad
            else:
                st[0] += 1
                st[1] = seq
                t.ok += 1

    def drain(self, s):
        """At the end: take what is still on its way."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            self.serve_one(s)

    # ---- clients -------------------------------------------------------

    def client(self, slot):
        rng = random.Random(slot * 1000 + len(self.addr))
        self.serving.wait()
        while not self.stop.is_set():
            cid = self.new_id()
            self.tally.add(clients=1)
            if self.pattern == "reqrep":
                self.req_client(cid, rng)
            else:
                self.push_client(cid, rng)
            time.sleep(rng.uniform(0, 0.3))          # gone a moment

    def req_client(self, cid, rng):
        t = self.tally
        with nnpy.Socket(nnpy.AF_SP, nnpy.REQ) as s:
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 500)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 500)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVMAXSIZE, -1)
            s.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, 1000)
            s.connect(self.addr)
            for seq in range(rng.randint(20, 400)):
                if self.stop.is_set():
                    return
                msg = payload(cid, seq, rng)
                while True:
                    try:
                        s.send(msg)
                        break
                    except TimeoutError:
                        if self.stop.is_set():
                            return
                t.add(sent=1)
                self.await_reply(s, msg, cid, seq)
                time.sleep(self.args.pace)

    def await_reply(self, s, msg, cid, seq):
        t = self.tally
        give_up = time.monotonic() + self.args.give_up
        while True:
            try:
                reply = s.recv()
            except TimeoutError:
                if time.monotonic() > give_up:
                    t.add(lost=1)
                    return
                continue
            ids = parse(reply)
            if ids is None:
                t.add(corrupt=1)
            elif ids != (cid, seq):
                t.add(reorder=1)
            elif reply != msg:
                t.add(corrupt=1)
            else:
                t.add(ok=1)
            return

    def push_client(self, cid, rng):
        t = self.tally
        sent = 0
        with nnpy.Socket(nnpy.AF_SP, nnpy.PUSH) as s:
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 500)
            s.connect(self.addr)
            for seq in range(rng.randint(50, 2000)):
                if self.stop.is_set():
                    break
                msg = payload(cid, seq, rng)
                while not self.stop.is_set():
                    try:
                        s.send(msg)
                        sent += 1
                        break
                    except TimeoutError:
                        continue
                if seq % 8 == 0:
                    time.sleep(self.args.pace)
            time.sleep(0.2)     # let the queue drain before closing
        with t.lock:
            t.expect[cid] = (sent, time.monotonic())
            t.sent += sent


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def nfds():
    return len(os.listdir("/proc/self/fd"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--transports", default="tcp,ipc,ws")
    ap.add_argument("--clients", type=int, default=3, help="client slots per cell")
    ap.add_argument("--restart", type=float, default=20,
                    help="mean seconds between server restarts")
    ap.add_argument("--interval", type=float, default=60, help="seconds between samples")
    ap.add_argument("--pace", type=float, default=0.01,
                    help="client pause (s) after each request / every 8 pushes")
    ap.add_argument("--give-up", type=float, default=60,
                    help="seconds after which a request counts as lost")
    ap.add_argument("--json", help="write samples and totals here")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="nnpy-soak-")
    stop = threading.Event()
    stop_servers = threading.Event()
    cells = []
    for tr in args.transports.split(","):
        for pattern in ("reqrep", "pushpull"):
            if tr == "ipc":
                addr = "ipc://%s/%s.ipc" % (tmp, pattern)
            else:
                addr = "%s://127.0.0.1:%d" % (tr, free_port())
            cells.append(Cell(tr, pattern, addr, args, stop, stop_servers))
    for c in cells:
        c.server_thread.start()
        for th in c.threads:
            th.start()

    samples = []
    t0 = time.monotonic()
    end = t0 + args.minutes * 60

    def sample(settle=SETTLE):
        for c in cells:
            c.tally.settle(settle)
        s = dict(t=round(time.monotonic() - t0, 1), rss_kib=rss_kib(), fds=nfds(),
                 threads=threading.active_count(),
                 cells={"%s/%s" % (c.transport, c.pattern): c.tally.row(c.pattern)
                        for c in cells})
        samples.append(s)
        moved = sum(v["ok"] for v in s["cells"].values())
        print("t=%6.0fs rss=%7d KiB fds=%4d msgs_ok=%9d" % (s["t"], s["rss_kib"],
                                                           s["fds"], moved), flush=True)

    sample()
    while time.monotonic() < end:
        time.sleep(min(args.interval, max(0.0, end - time.monotonic())))
        sample()
    stop.set()
    for c in cells:
        for th in c.threads:
            th.join(timeout=args.give_up + 10)
    stop_servers.set()
    for c in cells:
        c.server_thread.join(timeout=30)
    sample(settle=0)

    print("\n| transport | pattern | sent | ok | lost | dup | reordered | corrupt "
          "| clients | restarts |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in cells:
        r = c.tally.row(c.pattern)
        print("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |" % (
            c.transport, "REQ/REP" if c.pattern == "reqrep" else "PUSH/PULL",
            r["sent"], r["ok"], r["lost"], r["dup"], r["reorder"], r["corrupt"],
            r["clients"], r["restarts"]))
    # Memory after warm-up (the first quarter) against the end.
    warm = samples[max(1, len(samples) // 4)]
    last = samples[-1]
    print("\nRSS %d KiB after warm-up (t=%.0fs), %d KiB at the end; fds %d -> %d"
          % (warm["rss_kib"], warm["t"], last["rss_kib"], warm["fds"], last["fds"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(args=vars(args), samples=samples), f, indent=1)
    bad = any(c.tally.dup or c.tally.reorder or c.tally.corrupt or
              (c.pattern == "reqrep" and c.tally.lost) for c in cells)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
