"""Network namespaces joined by a veth pair, made and removed by each test.

Addresses are link-local (169.254.77.0/30) on the veth inside our own
namespaces: nothing is routed, nothing leaves the machine. Names carry the
pid and a counter, so concurrent runs never meet. Root is needed; without
it (or without ip/nft/tc) the tests skip, and fail under CI.
"""
import itertools
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from typing import List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
NFPEER = os.path.join(HERE, "nfpeer.py")
SERVER_IP, CLIENT_IP, PREFIX = "169.254.77.1", "169.254.77.2", 30
_count = itertools.count()


def required() -> bool:
    return (os.environ.get("NNPY_REQUIRE_REFERENCE", "") not in ("", "0")
            or bool(os.environ.get("CI")))


def need(condition: bool, why: str):
    if condition:
        return
    if required():
        pytest.fail("link-fault tests required under CI: " + why)
    pytest.skip(why)


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                   res.stderr.strip()))
    return res


class Peer:
    """nfpeer.py in a namespace; its JSON lines are read by a thread."""

    def __init__(self, ns: str, cfg: dict):
        self.ns = ns
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, NFPEER, json.dumps(cfg)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: "queue.Queue[Optional[dict]]" = queue.Queue()
        self.err = bytearray()
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def _pump_err(self):
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.err += chunk

    def next(self, key: str, timeout: float) -> dict:
        try:
            obj = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("peer in %s: no %r within %.0f s; stderr: %s" % (
                self.ns, key, timeout, self.err.decode(errors="replace"))) from None
        if obj is None or key not in obj:
            raise AssertionError("peer in %s: expected %r, got %r; stderr: %s" % (
                self.ns, key, obj, self.err.decode(errors="replace")))
        return obj

    def tell(self, line: str):
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def wait_counts(self, want: dict, timeout: float) -> dict:
        """Ask a server for its stream counts until each role in `want`
        has at least that many, or `timeout` passes; the last counts."""
        end = time.monotonic() + timeout
        while True:
            self.tell("count")
            counts = self.next("counts", 10)["counts"]
            if all(counts.get(r, 0) >= n for r, n in want.items()) or time.monotonic() > end:
                return counts
            time.sleep(0.1)

    def stop(self, timeout: float = 15.0) -> dict:
        """Tell the peer to finish; its result line."""
        self.tell("stop")
        return self.next("result", timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class Net:
    """Server namespace and client namespace(s), each joined to the server
    by its own veth pair."""

    def __init__(self):
        self.tag = "%d-%d" % (os.getpid(), next(_count))
        self.namespaces: List[str] = []
        self.peers: List[Peer] = []
        try:
            self.server = self._ns("s")
            self.client = self.new_client()
        except BaseException:
            self.teardown()
            raise

    def _ns(self, role: str) -> str:
        name = "nnpynf-%s-%s%d" % (self.tag, role, next(_count))
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def new_client(self) -> str:
        """A client namespace linked to the server's (the server's end of
        an earlier link must be gone: the address is reused)."""
        ns = self._ns("c")
        n = next(_count)
        # Interface names: at most 15 bytes, unique on the machine while
        # they exist in the root namespace.
        sv, cv = "nfs%d%d" % (os.getpid() % 100000, n), "nfc%d%d" % (os.getpid() % 100000, n)
        run("ip", "link", "add", sv, "type", "veth", "peer", "name", cv)
        try:
            run("ip", "link", "set", sv, "netns", self.server)
            run("ip", "link", "set", cv, "netns", ns)
        except RuntimeError:
            # Whichever end is still in the root namespace takes the pair.
            run("ip", "link", "del", sv, check=False)
            run("ip", "link", "del", cv, check=False)
            raise
        run("ip", "-n", self.server, "addr", "add", "%s/%d" % (SERVER_IP, PREFIX), "dev", sv)
        run("ip", "-n", ns, "addr", "add", "%s/%d" % (CLIENT_IP, PREFIX), "dev", cv)
        run("ip", "-n", self.server, "link", "set", sv, "up")
        run("ip", "-n", ns, "link", "set", cv, "up")
        self.client_if, self.server_if = cv, sv
        return ns

    def unlink(self):
        """Remove the current veth pair (from the server's side)."""
        run("ip", "-n", self.server, "link", "del", self.server_if)

    def link(self, state: str):
        run("ip", "-n", self.client, "link", "set", self.client_if, state)

    def drop_share(self, ns: str, tenths: int = 1):
        """nftables: drop a random `tenths`/10 of the packets `ns` receives."""
        run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "nnpyfault")
        run("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "nnpyfault", "in",
            "{ type filter hook input priority 0; }")
        run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "nnpyfault", "in",
            "numgen", "random", "mod", "10", "<", str(tenths), "counter", "drop")

    def dropped(self, ns: str) -> int:
        """Packets the drop_share rule of `ns` has dropped so far."""
        out = run("ip", "netns", "exec", ns, "nft", "list", "chain", "inet",
                  "nnpyfault", "in").stdout
        m = re.search(r"counter packets (\d+)", out)
        assert m, out
        return int(m.group(1))

    def limit_rate(self, ns: str, dev: str, rate: str):
        """tc tbf on the egress of `dev` in `ns`."""
        run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf",
            "rate", rate, "burst", "16kbit", "latency", "100ms")

    def start(self, ns: str, cfg: dict) -> Peer:
        p = Peer(ns, cfg)
        self.peers.append(p)
        return p

    def delete(self, ns: str):
        run("ip", "netns", "del", ns, check=False)
        if ns in self.namespaces:
            self.namespaces.remove(ns)

    def teardown(self):
        for p in self.peers:
            p.kill()
        for ns in list(self.namespaces):
            self.delete(ns)


@pytest.fixture
def net():
    need(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root (network namespaces)")
    for tool in ("ip", "nft", "tc"):
        need(shutil.which(tool) is not None,
             "%s not found (apt-get install iproute2 nftables)" % tool)
    try:
        n = Net()
    except (RuntimeError, subprocess.SubprocessError) as e:
        need(False, "cannot set up network namespaces: %s" % e)
    try:
        yield n
    finally:
        n.teardown()
