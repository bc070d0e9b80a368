"""The test side of nngpeer.py: one child process running pynng, and
handles on the sockets it holds.

pynng is located here but never imported: it bundles nng, whose nanomsg
compatibility symbols would collide with ours in one process.
"""
import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
from typing import Optional

import pytest

from .payloads import spec
from .reference import required

HERE = os.path.dirname(os.path.abspath(__file__))
NNGPEER = os.path.join(HERE, "nngpeer.py")
INSTALL_HINT = "pip install pynng (or pip install '.[test]')"
# Beyond a command's own timeout: time for the child to answer at all.
SLACK_S = 10.0


def need_pynng() -> None:
    """Skip (or fail under CI / NNPY_REQUIRE_REFERENCE) without pynng."""
    if importlib.util.find_spec("pynng") is not None:
        return
    why = "pynng not installed (%s)" % INSTALL_HINT
    if required():
        pytest.fail("nng reference peer required under CI: " + why)
    pytest.skip(why)


class NngError(AssertionError):
    """A command the nng peer answered with an error."""

    def __init__(self, op: str, answer: dict):
        super().__init__("nng %s failed: %s (%s) after %s ms" % (
            op, answer.get("err"), answer.get("text"), answer.get("ms")))
        self.err = answer.get("err")
        self.ms = answer.get("ms")


class NngPeer:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, NNGPEER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=HERE)
        self.answers: "queue.Queue[Optional[dict]]" = queue.Queue()
        self.err = bytearray()
        self.seq = 0
        self.next_id = 0
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()
        self._wait(0, SLACK_S)

    def _pump_out(self):
        for line in self.proc.stdout:
            try:
                self.answers.put(json.loads(line))
            except ValueError:
                self.err += b"[stdout] " + line
        self.answers.put(None)

    def _pump_err(self):
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.err += chunk

    def alive(self) -> bool:
        return self.proc.poll() is None

    def context(self) -> str:
        return "nngpeer %s; stderr: %s" % (
            "running" if self.alive() else "exited %s" % self.proc.returncode,
            bytes(self.err[-1500:]).decode(errors="replace"))

    def _wait(self, seq: int, timeout: float) -> dict:
        while True:
            try:
                answer = self.answers.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError("nngpeer gave no answer within %.1f s\n%s"
                                     % (timeout, self.context())) from None
            if answer is None:
                self.answers.put(None)
                raise AssertionError("nngpeer ended\n" + self.context())
            # Answers to commands of a test that failed half-way are stale.
            if answer.get("seq") == seq:
                return answer

    def call(self, op: str, timeout_ms: int = 0, **args) -> dict:
        self.seq += 1
        cmd = dict(args, op=op, seq=self.seq)
        try:
            self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise AssertionError("nngpeer is gone\n" + self.context()) from None
        answer = self._wait(self.seq, timeout_ms / 1000.0 + SLACK_S)
        if not answer["ok"]:
            raise NngError(op, answer)
        return answer

    def socket(self, type_: str, **opts) -> "NngSocket":
        self.next_id += 1
        self.call("socket", id=self.next_id, type=type_, opts=opts)
        return NngSocket(self, self.next_id, type_)

    def stop(self):
        if self.alive():
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)


class NngSocket:
    """One pynng socket in the child; payloads are bytes here."""

    def __init__(self, peer: NngPeer, id_: int, type_: str):
        self.peer, self.id, self.type = peer, id_, type_

    def listen(self, addr: str):
        self.peer.call("listen", id=self.id, addr=addr)

    def dial(self, addr: str):
        self.peer.call("dial", id=self.id, addr=addr)

    def send(self, data: bytes):
        self.peer.call("send", 5000, id=self.id, data=spec(data))

    def _skip(self, skip: Optional[bytes]) -> dict:
        return {} if skip is None else {"skip": spec(skip)}

    def recv(self, timeout: int = 5000, skip: Optional[bytes] = None) -> str:
        """The received message as payloads.describe() gives it."""
        return self.peer.call("recv", timeout, id=self.id, timeout=timeout,
                              **self._skip(skip))["msg"]

    def echo(self, timeout: int = 5000, skip: Optional[bytes] = None,
             latest: bool = False) -> str:
        return self.peer.call("echo", timeout, id=self.id, timeout=timeout,
                              latest=latest, **self._skip(skip))["msg"]

    def close(self):
        self.peer.call("close", id=self.id)
