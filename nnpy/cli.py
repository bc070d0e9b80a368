"""``python -m nnpy`` and ``nnpy-cat``: one nanomsg socket on the command line.

The options, the output formats (byte for byte) and the exit codes are
those of ``nanocat`` from nanomsg 1.1.5, so scripts written for one work
with the other.  Where nanocat crashes or silently does something odd
(sub-second receive timeouts rounded down to whole seconds, a negative
delay aborting, an empty --file aborting), this tool does the expected
thing or says what is wrong; docs/cli.md lists every difference.

Exit codes: 0 done (a receive timeout is a normal end), 1 bad command
line, 2 the --file cannot be read, 3 a socket call failed.  Ctrl-C and a
closed stdout end the process by their signal, as for nanocat.
"""
from __future__ import annotations

import math
import os
import re
import signal
import struct
import sys
import textwrap
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Dict, List, NoReturn, Optional, Sequence, Tuple

from . import constants as nn
from .errors import NNError, _strerror
from .socket import Socket

__all__ = ["main", "parse_args", "Options", "UsageError", "FORMATS", "format_message"]

EXIT_USAGE = 1
EXIT_FILE = 2
EXIT_SOCKET = 3

# Longest wait handed to the socket or to time.sleep in one go (the socket
# takes an int of milliseconds); longer waits are simply repeated.
_MAX_WAIT_MS = 2 ** 31 - 1


# -- output formats ---------------------------------------------------------

_ASCII = bytes(b if 0x20 <= b < 0x7F else 0x2E for b in range(256))


def _ascii(msg: bytes) -> bytes:
    return msg.translate(_ASCII) + b"\n"


# Bytes --quoted writes other than as themselves; the rest of 0x20..0x7e
# is printed as is and everything else as \xNN.
_QUOTED_SPECIAL = {0x22: b'\\"', 0x5C: b"\\\\", 0x0A: b"\\n", 0x0D: b"\\r"}
_QUOTED = [_QUOTED_SPECIAL.get(b, bytes([b]) if 0x20 <= b < 0x7F else b"\\x%02x" % b)
           for b in range(256)]
_HEX = [b"\\x%02x" % b for b in range(256)]


# Anything but the bytes --quoted prints as themselves.
_NEEDS_ESCAPE = re.compile(rb"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def _quoted(msg: bytes) -> bytes:
    if _NEEDS_ESCAPE.search(msg) is None:   # the common case: plain text
        return b'"' + msg + b'"\n'
    return b'"' + b"".join([_QUOTED[b] for b in msg]) + b'"\n'


def _hex(msg: bytes) -> bytes:
    return b'"' + b"".join([_HEX[b] for b in msg]) + b'"\n'


def _msgpack(msg: bytes) -> bytes:
    # msgpack "bin" with the shortest length field (nanocat never uses
    # the fixstr/str forms, whatever the length).
    size = len(msg)
    if size < 0x100:
        head = struct.pack(">BB", 0xC4, size)
    elif size < 0x10000:
        head = struct.pack(">BH", 0xC5, size)
    else:
        head = struct.pack(">BI", 0xC6, size)
    return head + msg


#: Output format name -> bytes written to stdout for one received message.
FORMATS: Dict[str, Callable[[bytes], bytes]] = {
    "no": lambda msg: b"",
    "raw": bytes,
    "ascii": _ascii,
    "quoted": _quoted,
    "msgpack": _msgpack,
    "hex": _hex,
}


def format_message(fmt: str, msg: bytes) -> bytes:
    """The bytes printed for ``msg`` in output format ``fmt``."""
    return FORMATS[fmt](msg)


# -- the command line ---------------------------------------------------------

SOCKET_TYPES: Dict[str, int] = {
    "push": nn.PUSH, "pull": nn.PULL, "pub": nn.PUB, "sub": nn.SUB,
    "req": nn.REQ, "rep": nn.REP, "surveyor": nn.SURVEYOR,
    "respondent": nn.RESPONDENT, "bus": nn.BUS, "pair": nn.PAIR,
}
SENDING = ("push", "pub", "req", "rep", "surveyor", "respondent", "bus", "pair")
RECEIVING = ("pull", "sub", "req", "rep", "surveyor", "respondent", "bus", "pair")
# Types that do nothing at all without a message to send.
NEED_DATA = ("push", "pub", "req", "surveyor")
# Types whose send drops the message when no peer is connected yet.
DROP_UNCONNECTED = ("pub", "bus", "surveyor")
# A single send on those waits this long at most for its --connect
# endpoints to be up (nanocat sends at once and often loses the message).
CONNECT_WAIT = 1.0
# After its single send, PUSH or PUB waits this long before closing: the
# reference library can drop a message that reaches it together with the
# connection's end (seen on ipc), and closing discards what is still queued.
CLOSE_GRACE = 0.1
ENDPOINT_OPTIONS = ("--bind", "--connect", "--bind-ipc", "--connect-ipc",
                    "--bind-local", "--connect-local")


@dataclass(frozen=True)
class Opt:
    long: str                # "--bind"
    short: Optional[str]     # "-X" or None
    metavar: Optional[str]   # None: a flag
    help: str


# (section title, options); the order is that of --help.
SECTIONS: List[Tuple[str, List[Opt]]] = [
    ("General", [
        Opt("--verbose", "-v", None, "Accepted for nanocat's sake; changes nothing (as there)"),
        Opt("--silent", "-q", None, "Accepted for nanocat's sake; changes nothing (as there)"),
        Opt("--help", "-h", None, "Print this help and exit"),
    ]),
    ("Socket type (exactly one)", [
        Opt("--" + name, None, None, "An NN_%s socket" % name.upper()) for name in SOCKET_TYPES
    ]),
    ("Endpoints (at least one; each may repeat)", [
        Opt("--bind", None, "ADDR", "Bind to ADDR (tcp://, ipc://, ws://, inproc://)"),
        Opt("--connect", None, "ADDR", "Connect to ADDR"),
        Opt("--bind-ipc", "-X", "PATH", "Bind to ipc://PATH"),
        Opt("--connect-ipc", "-x", "PATH", "Connect to ipc://PATH"),
        Opt("--bind-local", "-L", "PORT", "Bind to tcp://127.0.0.1:PORT"),
        Opt("--connect-local", "-l", "PORT", "Connect to tcp://127.0.0.1:PORT"),
    ]),
    ("Socket options", [
        Opt("--recv-timeout", None, "SEC", "Stop when no message comes for SEC seconds (exit 0)"),
        Opt("--send-timeout", None, "SEC", "Fail (exit 3) when a send waits SEC seconds"),
        Opt("--socket-name", None, "NAME", "Set NN_SOCKET_NAME (names the socket in statistics)"),
        Opt("--subscribe", None, "PREFIX", "SUB: receive messages starting with PREFIX "
                                          "(repeatable; none given: everything)"),
    ]),
    ("Output of received messages (the last one given wins)", [
        Opt("--format", None, "FORMAT", "no, raw, ascii, quoted, msgpack or hex (default: no)"),
        Opt("--raw", None, None, "Each message as is, with nothing between messages"),
        Opt("--ascii", "-A", None, "One line per message; bytes outside 0x20-0x7e as '.'"),
        Opt("--quoted", "-Q", None, 'One line per message in double quotes, C escapes (\\" \\\\ '
                                   "\\n \\r \\xNN)"),
        Opt("--msgpack", None, None, "Each message as a msgpack bin object (no separator)"),
        Opt("--hex", None, None, 'One line per message in double quotes, every byte as \\xNN'),
    ]),
    ("Sending", [
        Opt("--interval", "-i", "SEC", "Send the message every SEC seconds (REQ, SURVEYOR: a new "
                                      "request each time)"),
        Opt("--delay", "-d", "SEC", "Wait SEC seconds after bind/connect before starting"),
        Opt("--data", "-D", "DATA", "The message: sent once by PUSH, PUB, PAIR, BUS; the request "
                                   "of REQ, SURVEYOR; the reply of REP, RESPONDENT"),
        Opt("--file", "-F", "PATH", "As --data, the message read from the file PATH"),
    ]),
]
_ALL: List[Opt] = [opt for _, opts in SECTIONS for opt in opts]
_BY_LONG: Dict[str, Opt] = {opt.long: opt for opt in _ALL}
_BY_SHORT: Dict[str, Opt] = {opt.short: opt for opt in _ALL if opt.short}


class UsageError(Exception):
    """A bad command line; the message says what and how to fix it."""


@dataclass
class Options:
    """The parsed command line.  ``given`` maps each option used (long
    name) to the way it was written first, for error messages."""
    type: Optional[str] = None
    endpoints: List[Tuple[str, str]] = field(default_factory=list)  # ("bind", addr)
    recv_timeout: Optional[float] = None
    send_timeout: Optional[float] = None
    socket_name: Optional[bytes] = None
    subscriptions: List[bytes] = field(default_factory=list)
    format: str = "no"
    interval: Optional[float] = None
    delay: float = 0.0
    data: Optional[bytes] = None
    file: Optional[str] = None
    verbosity: int = 0
    help: bool = False
    given: Dict[str, str] = field(default_factory=dict)


def _seconds(opt: str, text: str) -> float:
    """A non-negative, finite number of seconds (also C hex floats, 0x1p-2)."""
    try:
        value = float.fromhex(text) if "0x" in text.lower() else float(text)
    except ValueError:
        raise UsageError("%s needs a number of seconds, not %r" % (opt, text)) from None
    if not math.isfinite(value) or value < 0:
        raise UsageError("%s needs a number of seconds >= 0, not %r" % (opt, text))
    return value


def _arg_bytes(text: str) -> bytes:
    # The exact bytes of the command-line argument, undecodable ones too.
    return os.fsencode(text)


# Handlers of the options: (options so far, option name without "--", the
# option as written, its argument or "" for a flag).
Handler = Callable[[Options, str, str, str], None]


def _socket_type(opts: Options, name: str, written: str, value: str) -> None:
    if opts.type is not None:
        raise UsageError("%s conflicts with %s: give exactly one socket type"
                         % (written, opts.given["--" + opts.type]))
    opts.type = name


def _endpoint_option(opts: Options, name: str, written: str, value: str) -> None:
    opts.endpoints.append(_endpoint("--" + name, value))


def _message(opts: Options, name: str, written: str, value: str) -> None:
    for other in ("--data", "--file"):
        if other in opts.given:
            raise UsageError("%s conflicts with %s: give one message, once"
                             % (written, opts.given[other]))
    if name == "data":
        opts.data = _arg_bytes(value)
    else:
        opts.file = value


def _duration(opts: Options, name: str, written: str, value: str) -> None:
    setattr(opts, name.replace("-", "_"), _seconds(written, value))


def _format_option(opts: Options, name: str, written: str, value: str) -> None:
    if value not in FORMATS:
        raise UsageError("%s %r is not a format; use one of: %s"
                         % (written, value, ", ".join(FORMATS)))
    opts.format = value


def _format_flag(opts: Options, name: str, written: str, value: str) -> None:
    opts.format = name


def _subscribe(opts: Options, name: str, written: str, value: str) -> None:
    opts.subscriptions.append(_arg_bytes(value))


def _socket_name(opts: Options, name: str, written: str, value: str) -> None:
    opts.socket_name = _arg_bytes(value)


def _verbosity(opts: Options, name: str, written: str, value: str) -> None:
    opts.verbosity += 1 if name == "verbose" else -1


def _help(opts: Options, name: str, written: str, value: str) -> None:
    opts.help = True


_HANDLERS: Dict[str, Handler] = {
    **{name: _socket_type for name in SOCKET_TYPES},
    **{opt[2:]: _endpoint_option for opt in ENDPOINT_OPTIONS},
    **{name: _format_flag for name in FORMATS if name != "no"},
    **{name: _duration for name in ("recv-timeout", "send-timeout", "interval", "delay")},
    "data": _message, "file": _message, "format": _format_option,
    "subscribe": _subscribe, "socket-name": _socket_name,
    "verbose": _verbosity, "silent": _verbosity, "help": _help,
}


def _apply(opts: Options, opt: Opt, written: str, value: Optional[str]) -> None:
    """Record one option (``value`` is its argument, None for a flag)."""
    _HANDLERS[opt.long[2:]](opts, opt.long[2:], written, value or "")
    opts.given.setdefault(opt.long, written)


def _endpoint(long: str, value: str) -> Tuple[str, str]:
    how = "bind" if long.startswith("--bind") else "connect"
    if long.endswith("-ipc"):
        return how, "ipc://" + value
    if long.endswith("-local"):
        return how, "tcp://127.0.0.1:" + value
    return how, value


def _find_long(name: str) -> Opt:
    """``--name``, or an unambiguous abbreviation of it."""
    if name in _BY_LONG:
        return _BY_LONG[name]
    matches = [opt for opt in _ALL if opt.long.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError("%s is ambiguous: it could be %s"
                         % (name, ", ".join(opt.long for opt in matches)))
    raise UsageError("unknown option %s" % name)


def _written(opt: Opt, as_typed: str) -> str:
    """How to name the option in messages: as typed, with the long name."""
    return as_typed if as_typed == opt.long else "%s (%s)" % (as_typed, opt.long)


def _parse_long(opts: Options, arg: str, rest: List[str]) -> None:
    name, eq, inline = arg.partition("=")
    opt = _find_long(name)
    written = _written(opt, name)
    if opt.metavar is None:
        if eq:
            raise UsageError("%s takes no argument (got %r)" % (written, arg))
        _apply(opts, opt, written, None)
        return
    if not eq:
        if not rest:
            raise UsageError("%s needs an argument: %s %s" % (written, opt.long, opt.metavar))
        inline = rest.pop(0)
    _apply(opts, opt, written, inline)


def _parse_short(opts: Options, arg: str, rest: List[str]) -> None:
    """A cluster like ``-vq``, ``-Dhello`` or ``-vD hello``."""
    i = 1
    while i < len(arg):
        letter = "-" + arg[i]
        opt = _BY_SHORT.get(letter)
        if opt is None:
            raise UsageError("unknown option %s" % letter)
        written = _written(opt, letter)
        i += 1
        if opt.metavar is None:
            _apply(opts, opt, written, None)
            continue
        if i < len(arg):
            value = arg[i:]
        elif rest:
            value = rest.pop(0)
        else:
            raise UsageError("%s needs an argument: %s %s" % (written, letter, opt.metavar))
        _apply(opts, opt, written, value)
        return


def _parse_all(argv: Sequence[str]) -> Options:
    opts = Options()
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            if rest:
                raise UsageError("unexpected argument %r (this tool takes options only)" % rest[0])
            break
        if arg.startswith("--"):
            _parse_long(opts, arg, rest)
        elif arg.startswith("-") and arg != "-":
            _parse_short(opts, arg, rest)
        else:
            raise UsageError("unexpected argument %r (this tool takes options only)" % arg)
        if opts.help:
            break
    return opts


def _only_for(opts: Options, long: str, types: Sequence[str], what: str) -> None:
    if long in opts.given and opts.type not in types:
        raise UsageError("%s %s, which --%s does not; it needs one of: %s"
                         % (opts.given[long], what, opts.type,
                            ", ".join("--" + t for t in types)))


def _check(opts: Options) -> None:
    """Rules across options, once all are read."""
    if opts.type is None:
        raise UsageError("no socket type: give one of %s"
                         % ", ".join("--" + t for t in SOCKET_TYPES))
    if not opts.endpoints:
        raise UsageError("nowhere to bind or connect: give --bind ADDR, --connect ADDR, "
                         "-X/-x PATH (ipc) or -L/-l PORT (tcp on 127.0.0.1)")
    _only_for(opts, "--subscribe", ("sub",), "is a SUB option")
    for long in ("--data", "--file", "--send-timeout", "--interval"):
        _only_for(opts, long, SENDING, "is about sending")
    for long in ("--recv-timeout", "--format", "--raw", "--ascii", "--quoted",
                 "--msgpack", "--hex"):
        _only_for(opts, long, RECEIVING, "is about received messages")
    has_data = "--data" in opts.given or "--file" in opts.given
    if opts.type in NEED_DATA and not has_data:
        raise UsageError("--%s needs a message to send: give --data DATA or --file PATH"
                         % opts.type)
    if "--interval" in opts.given and not has_data:
        raise UsageError("%s repeats the message of --data or --file, and none is given"
                         % opts.given["--interval"])


def parse_args(argv: Sequence[str]) -> Options:
    """Parse and check a command line (without the program name).

    Raises UsageError.  With --help, the other rules are not checked.
    """
    opts = _parse_all(argv)
    if not opts.help:
        _check(opts)
    return opts


def help_text(prog: str) -> str:
    lines = [
        "Usage: %s SOCKET-TYPE ENDPOINT... [OPTIONS]" % prog,
        "",
        "Open one nanomsg socket, send the message of --data/--file, and print what",
        "it receives in the chosen format.  Same options and output as nanocat.",
        "Long options may be shortened while unambiguous (--conn is not).",
    ]
    for title, opts in SECTIONS:
        lines += ["", title + ":"]
        for opt in opts:
            lines += _help_entry(opt)
    lines += [
        "",
        "Exit status: 0 done (also when --recv-timeout passes with no message),",
        "1 bad command line, 2 --file unreadable, 3 a socket call failed.",
    ]
    return "\n".join(lines) + "\n"


def _help_entry(opt: Opt, column: int = 25, width: int = 79) -> List[str]:
    names = opt.long + (", " + opt.short if opt.short else "")
    if opt.metavar:
        names += " " + opt.metavar
    text = textwrap.wrap(opt.help, width - column)
    head = "  " + names
    if len(head) >= column - 1:
        return [head] + [" " * column + line for line in text]
    return [head.ljust(column) + text[0]] + [" " * column + line for line in text[1:]]


# -- running ------------------------------------------------------------------

class Failure(Exception):
    """Ends the run with ``code`` after printing the message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _ms(seconds: float) -> int:
    return min(int(seconds * 1000), _MAX_WAIT_MS)


def _sleep(seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, _MAX_WAIT_MS / 1000))


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise Failure(EXIT_FILE, "cannot read --file %r: %s" % (path, e.strerror or e)) from None


def _socket_call(what: str, fn: Callable[..., object], *args: object) -> None:
    try:
        fn(*args)
    except NNError as e:
        raise Failure(EXIT_SOCKET, "%s: %s" % (what, _strerror(e.error_no))) from None


def open_socket(opts: Options) -> Socket:
    """The socket of ``opts``, with its options set, bound and connected."""
    assert opts.type is not None
    try:
        sock = Socket(nn.AF_SP, SOCKET_TYPES[opts.type])
    except NNError as e:
        raise Failure(EXIT_SOCKET, "cannot create the socket: %s" % _strerror(e.error_no)) from None
    try:
        _configure(sock, opts)
    except BaseException:
        sock.close()
        raise
    return sock


def _configure(sock: Socket, opts: Options) -> None:
    if opts.socket_name is not None:
        name = opts.socket_name
        _socket_call("cannot set --socket-name %r" % os.fsdecode(name),
                     sock.setsockopt, nn.SOL_SOCKET, nn.SOCKET_NAME, name)
    if opts.send_timeout is not None:
        sock.setsockopt(nn.SOL_SOCKET, nn.SNDTIMEO, _ms(opts.send_timeout))
    if opts.type == "sub":
        for prefix in opts.subscriptions or [b""]:
            _socket_call("cannot subscribe to %r" % os.fsdecode(prefix),
                         sock.setsockopt, nn.SUB, nn.SUB_SUBSCRIBE, prefix)
    for how, addr in opts.endpoints:
        method = sock.bind if how == "bind" else sock.connect
        where = os.fsencode(addr)
        _socket_call("cannot %s to %r" % (how, addr), method, where)


class Session:
    """One run: the socket, the message to send and the output."""

    def __init__(self, opts: Options, sock: Socket, data: Optional[bytes],
                 out: Callable[[bytes], None]) -> None:
        self.opts = opts
        self.sock = sock
        self.data = data
        self.format = FORMATS[opts.format]
        self.out = out
        self.recv_ms = -1 if opts.recv_timeout is None else _ms(opts.recv_timeout)
        self._rcvtimeo: Optional[int] = None   # as last set on the socket

    def send(self) -> None:
        _socket_call("cannot send", self.sock.send, self.data)

    def recv(self, timeout_ms: int) -> Optional[bytes]:
        """One message, or None when the wait ends (timeout, survey over)."""
        if timeout_ms != self._rcvtimeo:
            self.sock.setsockopt(nn.SOL_SOCKET, nn.RCVTIMEO, timeout_ms)
            self._rcvtimeo = timeout_ms
        try:
            msg = self.sock.recv()
        except NNError as e:
            if e.error_no in (nn.ETIMEDOUT, nn.EAGAIN, nn.EFSM):
                return None
            raise Failure(EXIT_SOCKET, "cannot receive: %s" % _strerror(e.error_no)) from None
        self.out(self.format(msg))
        return msg

    def receive_forever(self) -> None:
        """Print messages until --recv-timeout passes without one; REP and
        RESPONDENT answer each with the message, if there is one."""
        replies = self.data is not None and self.opts.type in ("rep", "respondent")
        while self.recv(self.recv_ms) is not None:
            if replies:
                self.send()

    def receive_until(self, deadline: float) -> None:
        """Print messages until ``deadline`` (time.monotonic), capped by
        --recv-timeout for each wait; REQ takes one reply at most."""
        while True:
            left = _ms(max(0.0, deadline - time.monotonic()))
            wait = left if self.recv_ms < 0 else min(left, self.recv_ms)
            if self.recv(wait) is None or self.opts.type == "req":
                return

    def run(self) -> None:
        kind = self.opts.type
        if self.data is None or kind in ("rep", "respondent"):
            self.receive_forever()
        elif self.opts.interval is not None:
            self.repeat(self.opts.interval)
        else:
            self.once()

    def once(self) -> None:
        """The single send, then the replies (REQ, SURVEYOR) or whatever
        comes (PAIR, BUS)."""
        kind = self.opts.type
        if kind in DROP_UNCONNECTED:
            self.await_connections()
        self.send()
        if kind in ("push", "pub"):
            _sleep(CLOSE_GRACE)
        elif kind == "req":
            self.recv(self.recv_ms)
        elif kind == "surveyor":
            while self.recv(self.recv_ms) is not None:
                pass
        else:
            self.receive_forever()

    def await_connections(self) -> None:
        """Wait until every --connect endpoint has a live connection, for
        CONNECT_WAIT (or --send-timeout) at most."""
        wanted = sum(1 for how, _ in self.opts.endpoints if how == "connect")
        limit = CONNECT_WAIT if self.opts.send_timeout is None else self.opts.send_timeout
        end = time.monotonic() + limit
        while (self.sock.get_statistic(nn.STAT_CURRENT_CONNECTIONS) < wanted
               and time.monotonic() < end):
            time.sleep(0.002)

    def repeat(self, interval: float) -> None:
        receives = self.opts.type in RECEIVING
        due = time.monotonic()
        while True:
            self.send()
            due += interval
            if receives:
                self.receive_until(due)
            _sleep(due - time.monotonic())


def _writer(stream: BinaryIO) -> Callable[[bytes], None]:
    def out(chunk: bytes) -> None:
        if chunk:
            stream.write(chunk)
            stream.flush()   # a reader at the other end of a pipe sees each message at once
    return out


def run(opts: Options, stdout: BinaryIO) -> None:
    """Open the socket of ``opts`` and do what it says; raises Failure."""
    data = _read_file(opts.file) if opts.file is not None else opts.data
    sock = open_socket(opts)
    try:
        _sleep(opts.delay)
        Session(opts, sock, data, _writer(stdout)).run()
    finally:
        sock.close()


def _die_by(signum: int) -> NoReturn:
    """End the process by ``signum`` with its default action, so the shell
    sees "interrupted" (status 128+signum) as for any C program."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)   # not reached unless the signal is blocked


def main(argv: Optional[Sequence[str]] = None, prog: Optional[str] = None) -> int:
    """Entry point of ``nnpy-cat`` and ``python -m nnpy``; returns the exit code."""
    prog = prog or os.path.basename(sys.argv[0]) or "nnpy-cat"
    args = sys.argv[1:] if argv is None else list(argv)
    stdout = sys.stdout.buffer
    try:
        opts = parse_args(args)
        if opts.help:
            stdout.write(help_text(prog).encode())
            stdout.flush()
            return 0
        run(opts, stdout)
        return 0
    except UsageError as e:
        sys.stderr.write("%s: %s\n(%s --help lists the options)\n" % (prog, e, prog))
        return EXIT_USAGE
    except Failure as e:
        sys.stderr.write("%s: %s\n" % (prog, e))
        return e.code
    except KeyboardInterrupt:
        _die_by(signal.SIGINT)
    except BrokenPipeError:
        _die_by(signal.SIGPIPE)
