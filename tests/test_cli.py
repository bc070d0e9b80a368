"""``python -m nnpy`` / ``nnpy-cat``: the parser in process, the formats
byte for byte, and the tool in a child process against our own sockets.

Each child is killed in teardown; each wait has a timeout.  The children
run in a directory without ./nnpy, so they import the installed package.
"""
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from importlib import metadata
from typing import Callable, List

import pytest

import nnpy
from nnpy import cli

from interop.driver import Child

pytestmark = pytest.mark.timeout(60)

TIMEOUT_MS = 5000
EVERY_BYTE = bytes(range(256))


# -- helpers --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp() -> str:
    return "tcp://127.0.0.1:%d" % free_port()


def wait_bound(port: int, seconds: float = 10.0) -> None:
    """Until something listens on ``port`` (a plain TCP probe: no SP
    handshake, so no nanomsg pipe is made)."""
    end = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < end, "nothing listens on port %d" % port
            time.sleep(0.02)


def port_of(addr: str) -> int:
    return int(addr.rsplit(":", 1)[1])


def finish(c: Child, seconds: float = 10.0) -> int:
    try:
        return c.proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not exit\n%s" % (c.name, c.context())) from None


def output_when_done(c: Child, seconds: float = 10.0) -> bytes:
    """stdout of a child that exits by itself (its pump thread drained)."""
    rc = finish(c, seconds)
    end = time.monotonic() + 5
    while list(c.lines.queue)[-1:] != [None] and time.monotonic() < end:
        time.sleep(0.01)
    assert rc == 0, c.context()
    return bytes(c.out)


@pytest.fixture
def nncat(tmp_path) -> Callable[..., Child]:
    """``nncat(*args)``: ``python -m nnpy ARGS`` as a child process."""
    started: List[Child] = []

    def start(*args: str) -> Child:
        c = Child([sys.executable, "-m", "nnpy", *args], "python -m nnpy " + " ".join(args))
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop()


def run_cat(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """``python -m nnpy ARGS`` to its end."""
    return subprocess.run([sys.executable, "-m", "nnpy", *args], capture_output=True,
                          timeout=timeout, cwd="/", stdin=subprocess.DEVNULL)


@pytest.fixture
def sock() -> Callable[..., nnpy.Socket]:
    made: List[nnpy.Socket] = []

    def make(protocol: int, timeout: int = TIMEOUT_MS) -> nnpy.Socket:
        s = nnpy.Socket(nnpy.AF_SP, protocol)
        made.append(s)
        s.rcvtimeo = timeout
        s.sndtimeo = timeout
        return s

    yield make
    for s in made:
        s.close()


# -- the parser ------------------------------------------------------------------

BASE = ["--pull", "--bind", "tcp://127.0.0.1:1"]
SEND = ["--push", "--bind", "tcp://127.0.0.1:1", "-D", "x"]


@pytest.mark.parametrize("argv, attr, value", [
    (["--pull", "--bind", "inproc://a"], "endpoints", [("bind", "inproc://a")]),
    (["--pull", "--connect", "inproc://a"], "endpoints", [("connect", "inproc://a")]),
    (["--pull", "--bind-ipc", "p"], "endpoints", [("bind", "ipc://p")]),
    (["--pull", "-X", "p"], "endpoints", [("bind", "ipc://p")]),
    (["--pull", "--connect-ipc", "/t/p"], "endpoints", [("connect", "ipc:///t/p")]),
    (["--pull", "-x", "p"], "endpoints", [("connect", "ipc://p")]),
    (["--pull", "--bind-local", "5"], "endpoints", [("bind", "tcp://127.0.0.1:5")]),
    (["--pull", "-L", "5"], "endpoints", [("bind", "tcp://127.0.0.1:5")]),
    (["--pull", "--connect-local", "6"], "endpoints", [("connect", "tcp://127.0.0.1:6")]),
    (["--pull", "-l", "6"], "endpoints", [("connect", "tcp://127.0.0.1:6")]),
    (["--pull", "--bind", "inproc://a", "-l", "6", "--connect", "inproc://b", "-X", "q"],
     "endpoints", [("bind", "inproc://a"), ("connect", "tcp://127.0.0.1:6"),
                   ("connect", "inproc://b"), ("bind", "ipc://q")]),
    (BASE + ["--recv-timeout", "0.25"], "recv_timeout", 0.25),
    (SEND + ["--send-timeout", "1.5"], "send_timeout", 1.5),
    (BASE + ["--socket-name", "stats"], "socket_name", b"stats"),
    (["--sub", "--bind", "inproc://a", "--subscribe", "ab", "--subscribe", ""],
     "subscriptions", [b"ab", b""]),
    (BASE + ["--format", "hex"], "format", "hex"),
    (BASE + ["--format=quoted"], "format", "quoted"),
    (BASE + ["--format", "no"], "format", "no"),
    (BASE, "format", "no"),
    (BASE + ["--raw"], "format", "raw"),
    (BASE + ["--ascii"], "format", "ascii"),
    (BASE + ["-A"], "format", "ascii"),
    (BASE + ["--quoted"], "format", "quoted"),
    (BASE + ["-Q"], "format", "quoted"),
    (BASE + ["--msgpack"], "format", "msgpack"),
    (BASE + ["--hex"], "format", "hex"),
    (BASE + ["--raw", "--ascii"], "format", "ascii"),        # the last one wins
    (BASE + ["-AQ"], "format", "quoted"),
    (BASE + ["--hex", "--format", "raw"], "format", "raw"),
    (SEND + ["--interval", "0.5"], "interval", 0.5),
    (SEND + ["-i", "2"], "interval", 2.0),
    (SEND + ["-i", "0"], "interval", 0.0),
    (SEND + ["--delay", "1e-1"], "delay", 0.1),
    (SEND + ["-d", "0x1p-2"], "delay", 0.25),                 # C strtod hex float
    (BASE + ["-d", "3"], "delay", 3.0),
    (["--push", "--bind", "inproc://a", "--data", "hi"], "data", b"hi"),
    (["--push", "--bind", "inproc://a", "-D", "-x"], "data", b"-x"),
    (["--push", "--bind", "inproc://a", "-D", "--pull"], "data", b"--pull"),
    (["--push", "--bind", "inproc://a", "-Dhi"], "data", b"hi"),
    (["--push", "--bind", "inproc://a", "--data="], "data", b""),
    (["--push", "--bind", "inproc://a", "-D", "\udcff"], "data", b"\xff"),  # undecodable
    (["--push", "--bind", "inproc://a", "--file", "f"], "file", "f"),
    (["--push", "--bind", "inproc://a", "-F", "f"], "file", "f"),
    (BASE + ["--verbose", "-v", "-vv"], "verbosity", 4),
    (BASE + ["--silent", "-q", "-vq"], "verbosity", -2),
    (["--push", "--bind", "inproc://a", "-vqD", "z"], "data", b"z"),
    (["--push", "--bind", "inproc://a", "--da", "z"], "data", b"z"),   # abbreviation
    (["--pul", "--bind-l", "7"], "type", "pull"),
    (["--pul", "--bind-l", "7"], "endpoints", [("bind", "tcp://127.0.0.1:7")]),
    (["--sur", "--connect=inproc://a", "-D", "q"], "type", "surveyor"),
])
def test_every_option_parses(argv, attr, value):
    assert getattr(cli.parse_args(argv), attr) == value


@pytest.mark.parametrize("name, proto", sorted(cli.SOCKET_TYPES.items()))
def test_every_socket_type_parses(name, proto):
    argv = ["--" + name, "--connect", "inproc://a"]
    if name in cli.NEED_DATA:
        argv += ["-D", "x"]
    opts = cli.parse_args(argv)
    assert opts.type == name
    assert proto == getattr(nnpy, name.upper())


@pytest.mark.parametrize("argv, message", [
    ([], "no socket type: give one of --push, --pull"),
    (["--bind", "inproc://a"], "no socket type"),
    (["--pull"], "nowhere to bind or connect"),
    (["--push", "--bind", "inproc://a"], "--push needs a message to send: give --data"),
    (["--pub", "--bind", "inproc://a"], "--pub needs a message"),
    (["--req", "--bind", "inproc://a"], "--req needs a message"),
    (["--surveyor", "--bind", "inproc://a"], "--surveyor needs a message"),
    (["--push", "--pull"], "--pull conflicts with --push: give exactly one socket type"),
    (["--push", "--push"], "--push conflicts with --push"),
    (SEND + ["-D", "y"], "-D (--data) conflicts with -D (--data)"),
    (SEND + ["--file", "f"], "--file conflicts with -D (--data)"),
    (BASE + ["--bogus"], "unknown option --bogus"),
    (BASE + ["-z"], "unknown option -z"),
    (BASE + ["-A=x"], "unknown option -="),
    (BASE + ["--conn", "x"], "--conn is ambiguous: it could be --connect, --connect-ipc, "
                             "--connect-local"),
    (BASE + ["--s", "x"], "--s is ambiguous"),
    (["--pull", "--bind"], "--bind needs an argument: --bind ADDR"),
    (["--push", "--bind", "inproc://a", "-D"], "-D (--data) needs an argument: -D DATA"),
    (BASE + ["--raw=1"], "--raw takes no argument"),
    (BASE + ["--help=1"], "--help takes no argument"),
    (BASE + ["--recv-timeout", "abc"], "--recv-timeout needs a number of seconds, not 'abc'"),
    (BASE + ["--recv-timeout", "ff"], "--recv-timeout needs a number of seconds, not 'ff'"),
    (BASE + ["--recv-timeout", "-1"], "--recv-timeout needs a number of seconds >= 0"),
    (SEND + ["-d", "-1"], "-d (--delay) needs a number of seconds >= 0, not '-1'"),
    (SEND + ["-d", "nan"], "needs a number of seconds >= 0"),
    (SEND + ["-i", "inf"], "needs a number of seconds >= 0"),
    (SEND + ["--send-timeout", ""], "--send-timeout needs a number of seconds"),
    (BASE + ["--format", "HEX"], "--format 'HEX' is not a format; use one of: no, raw, "
                                 "ascii, quoted, msgpack, hex"),
    (BASE + ["--subscribe", "a"], "--subscribe is a SUB option, which --pull does not"),
    (BASE + ["-D", "x"], "-D (--data) is about sending, which --pull does not"),
    (["--sub", "--bind", "x", "-F", "f"], "-F (--file) is about sending, which --sub does not"),
    (BASE + ["--send-timeout", "1"], "--send-timeout is about sending"),
    (BASE + ["-i", "1"], "-i (--interval) is about sending"),
    (SEND + ["--recv-timeout", "1"], "--recv-timeout is about received messages, which "
                                     "--push does not"),
    (SEND + ["-A"], "-A (--ascii) is about received messages"),
    (["--pub", "--bind", "x", "-D", "x", "--format", "raw"], "--format is about received"),
    (["--pair", "--bind", "x", "-i", "1"], "-i (--interval) repeats the message of --data "
                                           "or --file, and none is given"),
    (BASE + ["extra"], "unexpected argument 'extra'"),
    (BASE + ["-"], "unexpected argument '-'"),
    (BASE + ["--", "-A"], "unexpected argument '-A'"),
])
def test_bad_command_lines(argv, message):
    with pytest.raises(cli.UsageError) as info:
        cli.parse_args(argv)
    assert message in str(info.value)


def test_help_stops_parsing():
    assert cli.parse_args(["-D", "x", "--help", "--bogus"]).help
    assert cli.parse_args(["-h"]).help
    with pytest.raises(cli.UsageError):
        cli.parse_args(["--bogus", "--help"])


# -- the formats --------------------------------------------------------------------

MESSAGE = b'a"b\\c\n\t\r\x00\x7f\x80\xff ~'


@pytest.mark.parametrize("fmt, message, printed", [
    ("no", MESSAGE, b""),
    ("raw", MESSAGE, MESSAGE),
    ("raw", b"", b""),
    ("ascii", MESSAGE, b'a"b\\c....... ~\n'),
    ("ascii", b"", b"\n"),
    ("ascii", EVERY_BYTE, b"." * 32 + bytes(range(32, 127)) + b"." * 129 + b"\n"),
    ("quoted", MESSAGE, b'"a\\"b\\\\c\\n\\x09\\r\\x00\\x7f\\x80\\xff ~"\n'),
    ("quoted", b"", b'""\n'),
    ("quoted", bytes(range(7, 15)), b'"\\x07\\x08\\x09\\n\\x0b\\x0c\\r\\x0e"\n'),
    ("hex", b"Az\x00\xff", b'"\\x41\\x7a\\x00\\xff"\n'),
    ("hex", b"", b'""\n'),
    ("msgpack", b"", b"\xc4\x00"),
    ("msgpack", b"hello", b"\xc4\x05hello"),
    ("msgpack", b"a" * 255, b"\xc4\xff" + b"a" * 255),
    ("msgpack", b"a" * 256, b"\xc5\x01\x00" + b"a" * 256),
    ("msgpack", b"a" * 65535, b"\xc5\xff\xff" + b"a" * 65535),
    ("msgpack", b"a" * 65536, b"\xc6\x00\x01\x00\x00" + b"a" * 65536),
    ("msgpack", b"a" * 70000, b"\xc6\x00\x01\x11\x70" + b"a" * 70000),
])
def test_format_bytes(fmt, message, printed):
    assert cli.format_message(fmt, message) == printed


def test_quoted_and_hex_cover_every_byte():
    quoted = cli.format_message("quoted", EVERY_BYTE)[1:-2]
    hexed = cli.format_message("hex", EVERY_BYTE)[1:-2]
    assert hexed == b"".join(b"\\x%02x" % b for b in range(256))
    assert quoted.startswith(b"\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\x09\\n\\x0b")
    assert b" !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`" \
        b"abcdefghijklmnopqrstuvwxyz{|}~\\x7f\\x80" in quoted
    assert quoted.endswith(b"\\xfe\\xff")


@pytest.mark.parametrize("byte", range(256))
def test_one_byte_among_plain_text(byte):
    """Plain text takes a short cut in --quoted; one other byte must not."""
    plain = 0x20 <= byte < 0x7F
    quoted = {0x22: b'\\"', 0x5C: b"\\\\"}.get(byte, bytes([byte]) if plain else None)
    if quoted is None:
        quoted = {0x0A: b"\\n", 0x0D: b"\\r"}.get(byte, b"\\x%02x" % byte)
    message = b"ab" + bytes([byte]) + b"cd"
    assert cli.format_message("quoted", message) == b'"ab' + quoted + b'cd"\n'
    assert cli.format_message("ascii", message) == \
        b"ab" + (bytes([byte]) if plain else b".") + b"cd\n"


# -- the program: arguments, help, exit codes ------------------------------------------

def test_help_lists_every_nanocat_option():
    done = run_cat("--help")
    assert done.returncode == 0 and done.stderr == b""
    text = done.stdout.decode()
    assert text.startswith("Usage: python -m nnpy ")
    nanocat_help = ("--verbose,-v --silent,-q --help,-h --push --pull --pub --sub --req "
                    "--rep --surveyor --respondent --bus --pair --bind --connect "
                    "--bind-ipc,-X --connect-ipc,-x --bind-local,-L --connect-local,-l "
                    "--recv-timeout --send-timeout --socket-name --subscribe --format --raw "
                    "--ascii,-A --quoted,-Q --msgpack --hex --interval,-i --delay,-d "
                    "--data,-D --file,-F")
    for option in nanocat_help.split():
        long, _, short = option.partition(",")
        line = [row for row in text.splitlines() if row.strip().startswith(long + " ")
                or row.strip() == long or row.strip().startswith(long + ",")]
        assert line, "%s missing from --help" % long
        if short:
            assert ", %s" % short in line[0], line[0]


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], b"python -m nnpy: unknown option --bogus\n"),
    (["--pull", "--push"], b"python -m nnpy: --push conflicts with --pull"),
    (["--pull", "--bind", "inproc://a", "-i", "1"],
     b"python -m nnpy: -i (--interval) is about sending"),
])
def test_bad_arguments_exit_1(argv, message):
    done = run_cat(*argv)
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.startswith(message), done.stderr
    assert done.stderr.endswith(b"(python -m nnpy --help lists the options)\n")


def test_console_script():
    scripts = {e.name: e.value for e in metadata.entry_points().select(group="console_scripts")} \
        if hasattr(metadata.entry_points(), "select") else \
        {e.name: e.value for e in metadata.entry_points().get("console_scripts", [])}
    assert scripts.get("nnpy-cat") == "nnpy.cli:main"
    script = os.path.join(sysconfig.get_path("scripts"), "nnpy-cat")
    assert os.path.exists(script), "nnpy-cat not installed in %s" % script
    done = subprocess.run([script, "--pul"], capture_output=True, timeout=20, cwd="/")
    assert done.returncode == 1
    assert done.stderr.startswith(b"nnpy-cat: nowhere to bind or connect")
    done = subprocess.run([script, "-h"], capture_output=True, timeout=20, cwd="/")
    assert done.returncode == 0 and done.stdout.startswith(b"Usage: nnpy-cat ")


def test_bind_failure_exits_3():
    done = run_cat("--pull", "--bind", "foo://x")
    assert done.returncode == 3
    assert done.stderr == b"python -m nnpy: cannot bind to 'foo://x': Protocol not supported\n"
    done = run_cat("--pull", "--connect-local", "no-port")
    assert done.returncode == 3
    assert done.stderr == (b"python -m nnpy: cannot connect to 'tcp://127.0.0.1:no-port': "
                           b"Invalid argument\n")


def test_address_in_use_exits_3(sock):
    where = tcp()
    sock(nnpy.PULL).bind(where)
    done = run_cat("--pull", "--bind", where)
    assert done.returncode == 3
    assert done.stderr == b"python -m nnpy: cannot bind to '%s': Address already in use\n" \
        % where.encode()


def test_pub_without_peer_gives_up_waiting():
    t0 = time.monotonic()
    done = run_cat("--pub", "--connect", tcp(), "-D", "lost", "--send-timeout", "0.3")
    assert (done.returncode, done.stderr) == (0, b"")   # PUB drops it, as nanocat does
    assert time.monotonic() - t0 >= 0.3


def test_socket_name(sock, nncat):
    done = run_cat("--pull", "--bind", tcp(), "--socket-name", "n" * 64, "--recv-timeout", "0")
    assert done.returncode == 3
    assert done.stderr == b"python -m nnpy: cannot set --socket-name '%s': Invalid argument\n" \
        % (b"n" * 64)
    done = run_cat("--pull", "--bind", tcp(), "--socket-name", "n" * 63, "--recv-timeout", "0",
                   "-v", "-q")
    assert done.returncode == 0 and done.stderr == b""


def test_missing_file_exits_2(tmp_path):
    missing = str(tmp_path / "missing")
    done = run_cat("--push", "--bind", tcp(), "-F", missing)
    assert done.returncode == 2
    assert done.stderr == ("python -m nnpy: cannot read --file %r: No such file or directory\n"
                           % missing).encode()
    done = run_cat("--push", "--bind", tcp(), "-F", str(tmp_path))
    assert done.returncode == 2 and b"Is a directory" in done.stderr


# -- the program: every socket type against our sockets ------------------------------------

def test_push(sock):
    pull = sock(nnpy.PULL)
    where = tcp()
    pull.bind(where)
    done = run_cat("--push", "--connect", where, "--data", "work")
    assert done.returncode == 0, done.stderr
    assert pull.recv() == b"work"


def test_pull_every_format(sock, nncat):
    """Each format, in its own child, for the same messages."""
    messages = [b"hello", b"", MESSAGE, EVERY_BYTE, b"y" * 300, b"z" * 70000]
    cats = {}
    for fmt in cli.FORMATS:
        push = sock(nnpy.PUSH)
        where = tcp()
        push.bind(where)
        cats[fmt] = (nncat("--pull", "--connect", where, "--format", fmt), push)
    for _, push in cats.values():
        for m in messages:
            push.send(m)
    for fmt, (cat, _) in cats.items():
        expected = b"".join(cli.format_message(fmt, m) for m in messages)
        end = time.monotonic() + 10
        while len(cat.out) < len(expected) and time.monotonic() < end:
            time.sleep(0.01)
        time.sleep(0.05)   # anything more would show
        assert cat.out == expected, (fmt, cat.context())
        assert cat.err == b"" and cat.proc.poll() is None, cat.context()


def test_pub(sock):
    sub = sock(nnpy.SUB)
    sub.subscribe(b"")
    where = tcp()
    sub.bind(where)
    # One message, no --delay: the connection is awaited, not raced (for
    # --send-timeout here, so a loaded machine has time to connect).
    done = run_cat("--pub", "--connect", where, "--data", "news", "--send-timeout", "5")
    assert done.returncode == 0, done.stderr
    assert sub.recv() == b"news"


def test_sub_subscriptions(sock, nncat):
    pub = sock(nnpy.PUB)
    where = tcp()
    pub.bind(where)
    cat = nncat("--sub", "--connect", where, "--subscribe", "ab", "--subscribe", "cd", "-A")
    end = time.monotonic() + 10
    while b"ab-sync\n" not in cat.out:   # until the subscriber is connected
        assert time.monotonic() < end, cat.context()
        pub.send(b"ab-sync")
        time.sleep(0.02)
    for m in (b"abc", b"xab", b"cdx", b"c", b"", b"ab", b"ab-end"):
        pub.send(m)
    out = cat.wait_output(b"ab-end\n")
    assert out.replace(b"ab-sync\n", b"") == b"abc\ncdx\nab\nab-end\n"


def test_req(sock):
    rep = sock(nnpy.REP)
    where = tcp()
    rep.bind(where)
    with subprocess.Popen([sys.executable, "-m", "nnpy", "--req", "--connect", where,
                           "-D", "ping", "-Q"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd="/") as p:
        try:
            assert rep.recv() == b"ping"
            rep.send(b"pong")
            out, err = p.communicate(timeout=10)
        finally:
            p.kill()
    assert (p.returncode, out, err) == (0, b'"pong"\n', b"")


def test_req_without_reply_ends_at_recv_timeout(sock):
    rep = sock(nnpy.REP)
    where = tcp()
    rep.bind(where)
    t0 = time.monotonic()
    done = run_cat("--req", "--connect", where, "-D", "ping", "-A", "--recv-timeout", "0.3")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert time.monotonic() - t0 >= 0.3
    assert rep.recv() == b"ping"


def test_rep(sock, nncat):
    where = tcp()
    cat = nncat("--rep", "--bind", where, "-D", "pong", "-A")
    req = sock(nnpy.REQ)
    req.connect(where)
    for q in (b"q1", b"q\x002"):
        req.send(q)
        assert req.recv() == b"pong"
    assert cat.wait_output(b"q1\nq.2\n") == b"q1\nq.2\n"


def test_rep_without_data_only_prints(sock, nncat):
    where = tcp()
    cat = nncat("--rep", "--bind", where, "--raw")
    req = sock(nnpy.REQ, timeout=300)
    req.connect(where)
    req.send(b"question")
    with pytest.raises(nnpy.TimedOutError):
        req.recv()
    assert cat.wait_output(b"question") == b"question"


def test_surveyor(sock):
    where = tcp()
    answering = []
    for _ in range(2):
        r = sock(nnpy.RESPONDENT)
        r.bind(where) if not answering else r.connect(where)
        answering.append(r)
    p = subprocess.Popen([sys.executable, "-m", "nnpy", "--surveyor", "--connect", where,
                          "-D", "who", "-A", "--send-timeout", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd="/")
    try:
        assert answering[0].recv() == b"who"
        answering[0].send(b"me")
        out, err = p.communicate(timeout=10)   # ends at the 1 s survey deadline
    finally:
        p.kill()
        p.wait()
    assert (p.returncode, out, err) == (0, b"me\n", b"")


def test_respondent(sock, nncat):
    where = tcp()
    cat = nncat("--respondent", "--bind", where, "-D", "here", "--hex")
    surveyor = sock(nnpy.SURVEYOR)
    surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 200)
    surveyor.connect(where)
    end = time.monotonic() + 10
    while True:   # a survey sent before the connection is up is lost
        surveyor.send(b"who")
        try:
            assert surveyor.recv() == b"here"
            break
        except nnpy.TimedOutError:
            assert time.monotonic() < end, cat.context()
    assert cat.wait_output(b'"\\x77\\x68\\x6f"\n').startswith(b'"\\x77\\x68\\x6f"\n')


@pytest.mark.parametrize("kind", ["bus", "pair"])
def test_bus_and_pair(kind, sock, nncat):
    peer = sock(getattr(nnpy, kind.upper()))
    where = tcp()
    peer.bind(where)
    cat = nncat("--" + kind, "--connect", where, "-D", "hi", "-A", "--send-timeout", "5")
    assert peer.recv() == b"hi"
    peer.send(b"back")
    peer.send(b"again")
    assert cat.wait_output(b"back\nagain\n") == b"back\nagain\n"


# -- the program: sending options ---------------------------------------------------------

def test_interval(sock, nncat):
    pull = sock(nnpy.PULL)
    where = tcp()
    pull.bind(where)
    t0 = time.monotonic()
    nncat("--push", "--connect", where, "-D", "tick", "-i", "0.1")
    for _ in range(4):
        assert pull.recv() == b"tick"
    assert time.monotonic() - t0 >= 0.3     # the 4th leaves 0.3 s after the 1st


def test_interval_req_asks_again(sock, nncat):
    rep = sock(nnpy.REP)
    where = tcp()
    rep.bind(where)
    t0 = time.monotonic()
    cat = nncat("--req", "--connect", where, "-D", "ping", "-i", "0.2", "-Q")
    assert rep.recv() == b"ping"
    assert rep.recv() == b"ping"       # unanswered: a new request
    assert time.monotonic() - t0 >= 0.2
    rep.send(b"pong")
    assert cat.wait_output(b'"pong"\n') == b'"pong"\n'


def test_delay(sock):
    pull = sock(nnpy.PULL)
    where = tcp()
    pull.bind(where)
    t0 = time.monotonic()
    done = run_cat("--push", "--connect", where, "-D", "late", "-d", "0.3")
    assert done.returncode == 0, done.stderr
    assert pull.recv() == b"late"
    assert time.monotonic() - t0 >= 0.3


def test_recv_timeout_below_a_second():
    t0 = time.monotonic()
    done = run_cat("--pull", "--bind", tcp(), "--recv-timeout", "0.4", "-A")
    elapsed = time.monotonic() - t0
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert elapsed >= 0.4


def test_send_timeout_exits_3():
    t0 = time.monotonic()
    done = run_cat("--push", "--bind", tcp(), "-D", "x", "--send-timeout", "0.3")
    assert done.returncode == 3
    assert done.stderr == b"python -m nnpy: cannot send: Connection timed out\n"
    assert time.monotonic() - t0 >= 0.3


def test_file(sock, tmp_path):
    pull = sock(nnpy.PULL)
    where = tcp()
    pull.bind(where)
    data = tmp_path / "data"
    data.write_bytes(EVERY_BYTE * 3)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    for path in (data, empty):
        done = run_cat("--push", "--connect", where, "--file", str(path))
        assert done.returncode == 0, done.stderr
        assert pull.recv() == path.read_bytes()


def test_ipc_and_local_shorthands(sock, nncat, tmp_path):
    path = str(tmp_path / "s.ipc")
    port = free_port()
    cat = nncat("--pull", "-X", path, "--bind-local", str(port), "-A")
    wait_bound(port)
    for where in ("ipc://" + path, "tcp://127.0.0.1:%d" % port):
        push = sock(nnpy.PUSH)
        push.connect(where)
        push.send(where)
        cat.wait_output(where.encode() + b"\n")
    pull = sock(nnpy.PULL)
    pull.bind("ipc://" + path + "2")
    port2 = free_port()
    pull.bind("tcp://127.0.0.1:%d" % port2)
    done = run_cat("--push", "-x", path + "2", "-D", "a")
    assert done.returncode == 0 and pull.recv() == b"a"
    done = run_cat("--push", "-l", str(port2), "-D", "b")
    assert done.returncode == 0 and pull.recv() == b"b"


# -- the program: ends by signal -----------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--pull", "-A"],                               # blocked in recv
    ["--push", "-D", "x"],                          # blocked in send: nobody connects
    ["--pull", "-d", "30"],                         # sleeping
    ["--pub", "-D", "x", "-i", "30"],               # between sends
], ids=["recv", "send", "delay", "interval"])
def test_ctrl_c_ends_cleanly(args, nncat):
    port = free_port()
    cat = nncat(args[0], "--bind", "tcp://127.0.0.1:%d" % port, *args[1:])
    wait_bound(port)
    time.sleep(0.2)   # into the blocking call
    t0 = time.monotonic()
    cat.proc.send_signal(signal.SIGINT)
    assert finish(cat) == -signal.SIGINT
    assert time.monotonic() - t0 < 3
    time.sleep(0.05)
    assert bytes(cat.err) == b"", cat.context()


def test_closed_stdout_ends_quietly(sock):
    pull_where = tcp()
    p = subprocess.Popen([sys.executable, "-m", "nnpy", "--pull", "--bind", pull_where, "-A"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/")
    try:
        wait_bound(port_of(pull_where))
        p.stdout.close()
        push = sock(nnpy.PUSH)
        push.connect(pull_where)
        push.send(b"nobody reads this")
        assert p.wait(timeout=10) == -signal.SIGPIPE
        assert p.stderr.read() == b""
    finally:
        p.kill()
        p.wait()
        p.stderr.close()
