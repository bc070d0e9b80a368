"""``python -m nnpy`` against nanocat (nanomsg-utils, on the real libnanomsg).

Every pattern runs four ways at once: each tool in each role, binding and
connecting, so both directions meet; what each role prints is compared
byte for byte between the two tools.  The formats test gives both tools
the same messages and compares their output byte for byte.

Every process is killed in teardown (the ``child`` fixture); every wait
has a timeout.  nanocat rounds --recv-timeout down to whole seconds, so
the tests only ever give it whole seconds.
"""
import sys
import threading
import time
from typing import Dict, List, NamedTuple, Optional, Tuple

import pytest

import nnpy
from nnpy import cli

from .driver import Child
from .payloads import BINARY, big

pytestmark = pytest.mark.timeout(60)

OURS = "python -m nnpy"
THEIRS = "nanocat"
WAIT = 10.0   # seconds for anything to show up on a loaded machine


@pytest.fixture
def tool(nanocat_bin, child):
    """``tool(which, *args)``: start nanocat or our CLI with ``args``."""
    def start(which: str, *args: str) -> Child:
        argv = [nanocat_bin] if which == THEIRS else [sys.executable, "-m", "nnpy"]
        return child(argv + list(args), "%s %s" % (which, " ".join(args)))
    return start


def drained(cat: Child, seconds: float = WAIT) -> bool:
    """Whether the child has ended and all its stdout has been read."""
    if cat.proc.poll() is None:
        return False
    end = time.monotonic() + seconds
    while list(cat.lines.queue)[-1:] != [None]:   # the pump's end-of-file mark
        assert time.monotonic() < end, "stdout never closed\n%s" % cat.context()
        time.sleep(0.01)
    return True


def wait_printed(cat: Child, needle: bytes, seconds: float = WAIT) -> None:
    end = time.monotonic() + seconds
    while needle not in cat.out:
        assert time.monotonic() < end, "%r never printed\n%s" % (needle, cat.context())
        assert not drained(cat) or needle in cat.out, \
            "ended before printing %r\n%s" % (needle, cat.context())
        time.sleep(0.01)


def exits_ok(cat: Child) -> None:
    try:
        rc = cat.proc.wait(timeout=WAIT)
    except Exception:
        raise AssertionError("did not exit\n%s" % cat.context()) from None
    assert rc == 0, cat.context()


def repeats(out: bytes, unit: bytes) -> bool:
    """``out`` is ``unit`` printed one or more times, and nothing else."""
    return len(out) >= len(unit) and out == unit * (len(out) // len(unit))


# -- every pattern, both tools in both roles ------------------------------------------

class Role:
    def __init__(self, args: List[str], prints: Optional[bytes], exits: bool = False):
        self.args = args        # without the endpoint
        self.prints = prints    # what it prints for the other side's message
        self.exits = exits      # ends by itself once done


# Each role sends a different message, with bytes that need escaping.
PATTERNS: Dict[str, Tuple[Role, Role]] = {
    "pipeline": (Role(["--push", "-D", "work \x01"], None, exits=True),
                 Role(["--pull", "-Q"], b'"work \\x01"\n')),
    "pubsub": (Role(["--pub", "-D", "news", "-i", "0.1"], None),
               Role(["--sub", "--subscribe", "zz", "--subscribe", "ne", "-A"], b"news\n")),
    "reqrep": (Role(["--req", "-D", 'ping "1"', "-Q"], b'"pong\\\\2"\n', exits=True),
               Role(["--rep", "-D", "pong\\2", "-Q"], b'"ping \\"1\\""\n')),
    "survey": (Role(["--surveyor", "-D", "who?", "-i", "0.2", "--hex"], b'"\\x6d\\x65"\n'),
               Role(["--respondent", "-D", "me", "--hex"], b'"\\x77\\x68\\x6f\\x3f"\n')),
    "bus": (Role(["--bus", "-D", "one", "-i", "0.1", "--msgpack"], b"\xc4\x03two"),
            Role(["--bus", "-D", "two", "-i", "0.1", "--msgpack"], b"\xc4\x03one")),
    "pair": (Role(["--pair", "-D", "one\t", "--raw"], b"two\n"),
             Role(["--pair", "-D", "two\n", "--raw"], b"one\t")),
}


class Run(NamedTuple):
    role: int      # index in the pattern's pair of roles
    tool: str      # OURS or THEIRS
    cat: Child


def stop(cat: Child) -> None:
    if cat.proc.poll() is None:
        cat.proc.kill()
    cat.proc.wait(timeout=WAIT)
    drained(cat)


def endpoints(transport: str, address) -> Tuple[List[str], List[str]]:
    """(bind args, connect args) for one fresh address; ipc and local tcp
    use the nanocat shorthands -X/-x and -L/-l."""
    where = address(transport)
    if transport == "ipc":
        path = where[len("ipc://"):]
        return ["-X", path], ["-x", path]
    if transport == "tcp":
        port = where.rsplit(":", 1)[1]
        return ["-L", port], ["-l", port]
    return ["--bind", where], ["--connect", where]


def start_four_ways(roles: Tuple[Role, Role], transport: str, tool, address) -> List[Run]:
    """Each tool in each role, once binding and once connecting."""
    runs = []
    for tools in ((OURS, THEIRS), (THEIRS, OURS)):
        for binder in (0, 1):
            bind, connect = endpoints(transport, address)
            for i in (binder, 1 - binder):
                where = bind if i == binder else connect
                runs.append(Run(i, tools[i], tool(tools[i], *(roles[i].args + where))))
    return runs


# Every pattern on tcp; ipc and ws (transports have tests of their own)
# each for a pattern that exits by itself and one that does not.
CASES = [(p, "tcp") for p in sorted(PATTERNS)] + [
    ("pipeline", "ipc"), ("pair", "ipc"), ("reqrep", "ws"), ("bus", "ws")]


@pytest.mark.parametrize("pattern, transport", CASES)
def test_pattern_both_ways(pattern, transport, tool, address):
    roles = PATTERNS[pattern]
    runs = start_four_ways(roles, transport, tool, address)
    for run in runs:
        if roles[run.role].prints is not None:
            wait_printed(run.cat, roles[run.role].prints)
    for run in runs:
        if roles[run.role].exits:
            exits_ok(run.cat)
    for run in runs:
        stop(run.cat)
    for run in runs:
        expected = roles[run.role].prints
        out = bytes(run.cat.out)
        assert out == b"" if expected is None else repeats(out, expected), run.cat.context()
        assert bytes(run.cat.err) == b"", run.cat.context()
    # The same role prints the same bytes with either tool.
    for role in (0, 1):
        size = len(roles[role].prints or b"")
        first = {run.tool: bytes(run.cat.out[:size]) for run in runs if run.role == role}
        assert first[OURS] == first[THEIRS]


# -- every format, same messages to both tools --------------------------------------------

FORMATS = ("--raw", "--ascii", "-A", "--quoted", "-Q", "--msgpack", "--hex", "--format=no")
MESSAGES = [
    b"", b"hello", BINARY, bytes(range(256)), b'a "quoted" \\ back\nslash\r\t\x7f',
    big(31), big(32), big(255), big(256), big(65535), big(65536), big(70000),
]


def format_message(option: str, message: bytes) -> bytes:
    """What our formatter prints; only used to know when output is complete."""
    name = option.lstrip("-").replace("format=", "")
    return cli.format_message({"A": "ascii", "Q": "quoted"}.get(name, name), message)


def wait_length(cat: Child, size: int) -> None:
    end = time.monotonic() + WAIT
    while len(cat.out) < size:
        assert time.monotonic() < end and cat.proc.poll() is None, \
            "printed %d of %d bytes\n%s" % (len(cat.out), size, cat.context())
        time.sleep(0.01)


def send_all(push: nnpy.Socket, errors: List[BaseException]) -> None:
    try:
        for m in MESSAGES:
            push.send(m)
    except BaseException as e:  # noqa: B902 - reported by the test
        errors.append(e)


def test_every_format_prints_as_nanocat(tool, address):
    """Each tool pulls the same messages in each format; the bytes printed
    must be the same."""
    cats: Dict[Tuple[str, str], Child] = {}
    pushes: List[nnpy.Socket] = []
    errors: List[BaseException] = []
    try:
        for fmt in FORMATS:
            for which in (OURS, THEIRS):
                where = address("tcp")
                push = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH)
                pushes.append(push)
                push.sndtimeo = int(WAIT * 1000)
                push.bind(where)
                cats[fmt, which] = tool(which, "--pull", "--connect", where, fmt)
        # A sender each, so no tool waits (and times out) for another's turn.
        senders = [threading.Thread(target=send_all, args=(push, errors), daemon=True)
                   for push in pushes]
        for t in senders:
            t.start()
        for t in senders:
            t.join(WAIT)
        assert not errors and not any(t.is_alive() for t in senders), errors
        for (fmt, _), cat in cats.items():
            wait_length(cat, len(b"".join(format_message(fmt, m) for m in MESSAGES)))
    finally:
        for push in pushes:
            push.close()
    for cat in cats.values():
        stop(cat)
    for fmt in FORMATS:
        ours, theirs = bytes(cats[fmt, OURS].out), bytes(cats[fmt, THEIRS].out)
        assert ours == theirs, "%s: ours %d bytes, nanocat %d bytes, first difference at %d" % (
            fmt, len(ours), len(theirs),
            next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                 min(len(ours), len(theirs))))
        assert theirs or fmt == "--format=no", fmt


# -- bad command lines and failures: same exit codes -----------------------------------------

@pytest.mark.parametrize("args", [
    [],
    ["--push"],
    ["--pull", "--push", "--bind", "tcp://127.0.0.1:1"],
    ["--bogus"],
    ["--pull", "--bind"],
    ["--pull", "--bind", "tcp://127.0.0.1:1", "--interval", "abc"],
    ["--pull", "--bind", "tcp://127.0.0.1:1", "--format", "foo"],
    ["--pull", "--bind", "tcp://127.0.0.1:1", "-D", "x"],
    ["--push", "--bind", "tcp://127.0.0.1:1", "-D", "x", "-A"],
    ["--push", "--bind", "tcp://127.0.0.1:1", "-D", "x", "--subscribe", "a"],
    ["--push", "--bind", "tcp://127.0.0.1:1", "-D", "x", "-F", "/etc/hostname"],
    ["--conn", "x"],
    ["--pull", "--bind", "x", "extra"],
    ["--pull", "--bind", "foo://x"],
    ["--pull", "--connect", "tcp://127.0.0.1:no"],
    ["--push", "--bind", "tcp://127.0.0.1:1", "-F", "/nonexistent/file"],
], ids=lambda a: " ".join(a) or "no-args")
def test_exit_codes_as_nanocat(args, tool):
    cats = [tool(which, *args) for which in (OURS, THEIRS)]
    codes = [cat.proc.wait(timeout=WAIT) for cat in cats]
    for cat in cats:
        assert drained(cat) and bytes(cat.out) == b"", cat.context()
    assert codes[0] == codes[1], [c.context() for c in cats]
    assert codes[0] != 0
    end = time.monotonic() + WAIT
    while b"\n" not in cats[0].err and time.monotonic() < end:   # its stderr pump
        time.sleep(0.01)
    assert cats[0].err.startswith(b"python -m nnpy: "), cats[0].context()


def test_help_exits_0_as_nanocat(tool):
    for which in (OURS, THEIRS):
        cat = tool(which, "--help")
        exits_ok(cat)
        assert drained(cat) and cat.out.startswith(b"Usage:") and cat.err == b"", cat.context()
