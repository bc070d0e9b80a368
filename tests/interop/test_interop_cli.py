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
import time
from typing import Dict, List, Optional, Tuple

import pytest

import nnpy

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


def wait_printed(cat: Child, needle: bytes, seconds: float = WAIT) -> None:
    end = time.monotonic() + seconds
    while needle not in cat.out:
        assert time.monotonic() < end, "%r never printed\n%s" % (needle, cat.context())
        assert cat.proc.poll() is None or needle in cat.out, \
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


@pytest.mark.parametrize("transport", ["tcp", "ipc", "ws"])
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_pattern_both_ways(pattern, transport, tool, address):
    roles = PATTERNS[pattern]
    runs = []   # (role index, which tool, Child)
    for first, second in ((OURS, THEIRS), (THEIRS, OURS)):
        for binder in (0, 1):
            bind, connect = endpoints(transport, address)
            tools = (first, second)
            for i in (binder, 1 - binder):
                where = bind if i == binder else connect
                runs.append((i, tools[i], tool(tools[i], *(roles[i].args + where))))
    for i, _, cat in runs:
        if roles[i].prints is not None:
            wait_printed(cat, roles[i].prints)
    for i, _, cat in runs:
        if roles[i].exits:
            exits_ok(cat)
    for i, _, cat in runs:
        if cat.proc.poll() is None:
            cat.proc.kill()
            cat.proc.wait(timeout=WAIT)
    for i, which, cat in runs:
        expected = roles[i].prints
        if expected is None:
            assert bytes(cat.out) == b"", cat.context()
        else:
            assert repeats(bytes(cat.out), expected), (expected, cat.context())
        assert bytes(cat.err) == b"", cat.context()
    # The same role prints the same bytes with either tool.
    for role in (0, 1):
        firsts = {which: bytes(cat.out[:len(roles[role].prints or b"")])
                  for i, which, cat in runs if i == role}
        assert firsts[OURS] == firsts[THEIRS]


# -- every format, same messages to both tools --------------------------------------------

FORMATS = ("--raw", "--ascii", "-A", "--quoted", "-Q", "--msgpack", "--hex", "--format=no")
MESSAGES = [
    b"", b"hello", BINARY, bytes(range(256)), b'a "quoted" \\ back\nslash\r\t\x7f',
    big(31), big(32), big(255), big(256), big(65535), big(65536), big(70000),
]


def test_every_format_prints_as_nanocat(tool, address):
    """Each tool pulls the same messages in each format; the bytes printed
    and the exit codes must be the same."""
    runs = []
    for fmt in FORMATS:
        for which in (OURS, THEIRS):
            where = address("tcp")
            push = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH)
            push.sndtimeo = int(WAIT * 1000)
            push.bind(where)
            cat = tool(which, "--pull", "--connect", where, fmt, "--recv-timeout", "1")
            runs.append((fmt, which, cat, push))
    try:
        for fmt, which, cat, push in runs:
            for m in MESSAGES:
                push.send(m)
        for fmt, which, cat, push in runs:
            exits_ok(cat)
    finally:
        for *_, push in runs:
            push.close()
    time.sleep(0.1)   # the pumps read to EOF
    printed = {(fmt, which): bytes(cat.out) for fmt, which, cat, _ in runs}
    for fmt in FORMATS:
        theirs, ours = printed[fmt, THEIRS], printed[fmt, OURS]
        assert ours == theirs, "%s: ours %d bytes, nanocat %d bytes, first difference at %d" % (
            fmt, len(ours), len(theirs),
            next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                 min(len(ours), len(theirs))))
        if fmt != "--format=no":
            assert theirs, fmt


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
    codes = []
    for cat in cats:
        exits = cat.proc.wait(timeout=WAIT)
        codes.append(exits)
        assert bytes(cat.out) == b"", cat.context()
    time.sleep(0.05)
    assert codes[0] == codes[1], [c.context() for c in cats]
    assert codes[0] != 0
    assert cats[0].err.startswith(b"python -m nnpy: "), cats[0].context()


def test_help_exits_0_as_nanocat(tool):
    for which in (OURS, THEIRS):
        cat = tool(which, "--help")
        exits_ok(cat)
        time.sleep(0.05)
        assert cat.out.startswith(b"Usage:") and cat.err == b"", cat.context()
