"""Child processes driven from the tests: the reference peer and nanocat.

Both are read through a thread each, so a test waits for a given line with
a timeout and never blocks on a pipe.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REFPEER = os.path.join(HERE, "refpeer.py")
LINE_TIMEOUT = 5.0


class Child:
    """A subprocess whose stdout (lines) and stderr are collected."""

    def __init__(self, argv: List[str], name: str):
        self.name = name
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=HERE)
        self.lines: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self.seen: List[bytes] = []
        self.err = bytearray()
        self.out = bytearray()
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump_out(self):
        # Chunks, not lines: nanocat --raw prints no newline.
        partial = b""
        for chunk in iter(lambda: self.proc.stdout.read1(65536), b""):
            self.out += chunk
            partial += chunk
            *whole, partial = partial.split(b"\n")
            for line in whole:
                self.lines.put(line + b"\n")
        if partial:
            self.lines.put(partial)
        self.lines.put(None)

    def _pump_err(self):
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.err += chunk

    def context(self) -> str:
        return "%s %s\n  stdout: %s\n  stderr: %s" % (
            self.name, "running" if self.proc.poll() is None else
            "exited %s" % self.proc.returncode,
            bytes(self.out[-1500:]).decode(errors="replace"),
            bytes(self.err[-1500:]).decode(errors="replace"))

    def line(self, timeout: float = LINE_TIMEOUT) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no output from %s within %.1f s\n%s"
                                 % (self.name, timeout, self.context())) from None
        if line is None:
            self.lines.put(None)  # stay at EOF for later calls
            time.sleep(0.05)
            raise AssertionError("%s ended early\n%s" % (self.name, self.context()))
        self.seen.append(line)
        return line.decode(errors="replace").rstrip("\n")

    def poll_line(self, timeout: float) -> Optional[str]:
        """The next line, or None if none arrives within ``timeout``."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self.lines.put(None)
            return None
        self.seen.append(line)
        return line.decode(errors="replace").rstrip("\n")

    def tell(self, text: str = "go"):
        try:
            self.proc.stdin.write(text.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def wait_output(self, needle: bytes, timeout: float = LINE_TIMEOUT) -> bytes:
        """Raw output mode (nanocat): wait until ``needle`` has been printed."""
        end = time.monotonic() + timeout
        while needle not in self.out:
            if time.monotonic() > end or (self.proc.poll() is not None and self.lines.empty()):
                time.sleep(0.05)
                if needle in self.out:
                    break
                raise AssertionError("%s never printed %r; got %r\n  stderr: %s" % (
                    self.name, needle, bytes(self.out[-300:]),
                    bytes(self.err[-800:]).decode(errors="replace")))
            time.sleep(0.01)
        return bytes(self.out)

    def stop(self):
        """Kill this child (only ever our own child, by its pid)."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin,):
            try:
                f.close()
            except (BrokenPipeError, OSError):
                pass


class RefPeer(Child):
    """refpeer.py on the reference library; see its docstring for the
    commands and output lines."""

    def __init__(self, lib: str, cfg: dict):
        name = "refpeer[%s %s%s]" % (cfg.get("type"), " ".join(cfg.get("bind", [])),
                                     " -> " + " ".join(cfg.get("connect", []))
                                     if cfg.get("connect") else "")
        super().__init__([sys.executable, REFPEER, lib, json.dumps(cfg)], name)

    def expect(self, word: str, timeout: float = LINE_TIMEOUT,
               skip: tuple = ("sent",)) -> List[str]:
        """Next line must start with ``word`` (lines starting with a word
        in ``skip`` are passed over); returns the other words."""
        while True:
            line = self.line(timeout)
            words = line.split()
            if words and words[0] == word:
                return words[1:]
            if not words or words[0] not in skip:
                raise AssertionError("%s: expected %r, got %r\n%s"
                                     % (self.name, word, line, self.context()))

    def ready(self):
        self.expect("ready")

    def message(self, timeout: float = LINE_TIMEOUT) -> str:
        """The next received-message report ("LEN DIGEST HEX")."""
        return " ".join(self.expect("msg", timeout, skip=("sent", "synced")))

    def messages(self, n: int, timeout: float = LINE_TIMEOUT) -> List[str]:
        return [self.message(timeout) for _ in range(n)]

    def skip_sent(self, n: int):
        for _ in range(n):
            self.expect("sent")

    def finish(self, timeout: float = 10.0):
        """Expect "done", release the peer's hold, and check it exited 0."""
        self.expect("done", timeout, skip=("sent", "synced"))
        self.tell("bye")
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit\n%s" % (self.name, self.context())) from None
        assert rc == 0, "%s exited %d\n%s" % (self.name, rc, self.context())
