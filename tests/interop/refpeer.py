"""A scripted nanomsg peer on the *reference* library, run as its own process.

    python refpeer.py LIBPATH JSON

LIBPATH is the real libnanomsg (Debian's libnanomsg.so.5), loaded with
ctypes. This process must never import nnpy: two nanomsg implementations in
one process would share symbol names and prove nothing.

JSON describes one socket and a script:

    {"type": "REP", "raw": false,
     "opts": {"RCVMAXSIZE": -1, "REQ_RESEND_IVL": 300, "SUB_SUBSCRIBE": ""},
     "bind": ["tcp://127.0.0.1:5555"], "connect": [],
     "script": [{"op": "echo", "count": 3, "skip": "hex:..."}],
     "hold": true, "deadline_s": 30}

Ops (see the op_* methods): send, recv, recv_raw, echo, request (send and
await the reply, for REQ/SURVEYOR/PAIR/BUS), collect (survey, report until
the deadline), probe_until_reply, probe_until_line, await, wait_line,
sleep, print, stat, setopt, whoami. Payloads are payloads.spec() strings.

Output, one line each, flushed at once (the tests synchronise on it):
  ``ready``                      after every bind/connect succeeded
  ``msg LEN DIGEST HEX``         a received message (payloads.describe)
  ``raw HDRHEX MS LEN DIGEST HEX`` the same with its SP header (raw sockets)
  ``sent LEN``                   a message handed to nn_send
  ``synced``                     a probe went through (probe_* / await)
  ``err OP ERRNAME MS``          a failed call, with ms since the op began
  ``stat NAME VALUE``            an nn_get_statistic value
  ``done``                       the script finished
Then, with "hold" (default), the peer keeps its socket open until a line or
EOF arrives on stdin, so messages it sent are not lost by nn_close
(libnanomsg discards what it has not yet written).

A failed call ends the peer with status 2 unless the op lists the errno name
in "ok" (then the op stops and the script goes on).
"""
import ctypes
import json
import os
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from payloads import PROBE, describe, parse  # noqa: E402

# Option -> level name; everything else is NN_SOL_SOCKET.
OPTION_LEVEL = {
    "SUB_SUBSCRIBE": "NN_SUB", "SUB_UNSUBSCRIBE": "NN_SUB",
    "REQ_RESEND_IVL": "NN_REQ", "SURVEYOR_DEADLINE": "NN_SURVEYOR",
    "TCP_NODELAY": "NN_TCP", "WS_MSG_TYPE": "NN_WS",
}
STRING_OPTIONS = ("SUB_SUBSCRIBE", "SUB_UNSUBSCRIBE", "SOCKET_NAME")
NN_MSG = ctypes.c_size_t(-1).value
PROTO_SP, SP_HDR = 1, 1


class IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class MsgHdr(ctypes.Structure):
    _fields_ = [("msg_iov", ctypes.POINTER(IoVec)), ("msg_iovlen", ctypes.c_int),
                ("msg_control", ctypes.c_void_p), ("msg_controllen", ctypes.c_size_t)]


class CmsgHdr(ctypes.Structure):
    _fields_ = [("cmsg_len", ctypes.c_size_t), ("cmsg_level", ctypes.c_int),
                ("cmsg_type", ctypes.c_int)]


class Failed(Exception):
    def __init__(self, op, errno, started):
        super().__init__(op, errno)
        self.op = op
        self.errno = errno
        self.ms = int((time.monotonic() - started) * 1000)


def say(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


class Lib:
    """The handful of nn_* calls the peer needs, with their C signatures."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        c_int, c_size, c_void_p = ctypes.c_int, ctypes.c_size_t, ctypes.c_void_p
        sig = {
            "nn_socket": (c_int, [c_int, c_int]),
            "nn_bind": (c_int, [c_int, ctypes.c_char_p]),
            "nn_connect": (c_int, [c_int, ctypes.c_char_p]),
            "nn_setsockopt": (c_int, [c_int, c_int, c_int, c_void_p, c_size]),
            "nn_send": (c_int, [c_int, c_void_p, c_size, c_int]),
            "nn_recv": (c_int, [c_int, c_void_p, c_size, c_int]),
            "nn_recvmsg": (c_int, [c_int, ctypes.POINTER(MsgHdr), c_int]),
            "nn_freemsg": (c_int, [c_void_p]),
            "nn_errno": (c_int, []),
            "nn_close": (c_int, [c_int]),
            "nn_symbol": (ctypes.c_char_p, [c_int, ctypes.POINTER(c_int)]),
            "nn_get_statistic": (ctypes.c_uint64, [c_int, c_int]),
        }
        for name, (res, args) in sig.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib = lib
        # Every constant from the library itself, so nothing is hard-coded.
        self.sym, self.errname = {}, {}
        value, i = c_int(), 0
        while True:
            name = lib.nn_symbol(i, ctypes.byref(value))
            if name is None:
                break
            name = name.decode()
            self.sym[name] = value.value
            if name.startswith("E"):
                self.errname[value.value] = name
            i += 1

    def check(self, rc, op, started):
        if rc < 0:
            raise Failed(op, self.errname.get(self.lib.nn_errno(), str(self.lib.nn_errno())),
                         started)
        return rc


class Peer:
    def __init__(self, lib, cfg):
        self.L, self.cfg = lib, cfg
        self.c = lib.lib
        domain = lib.sym["AF_SP_RAW" if cfg.get("raw") else "AF_SP"]
        now = time.monotonic()
        self.s = lib.check(self.c.nn_socket(domain, lib.sym["NN_" + cfg["type"]]), "socket", now)
        self.opts = {}
        for name, value in cfg.get("opts", {}).items():
            self.setopt(name, value)

    def setopt(self, name, value):
        level = self.L.sym[OPTION_LEVEL.get(name, "NN_SOL_SOCKET")]
        if name in STRING_OPTIONS:
            raw = value.encode() if isinstance(value, str) else bytes(value)
            buf, size = ctypes.create_string_buffer(raw, len(raw)), len(raw)
        else:
            buf, size = ctypes.c_int(int(value)), ctypes.sizeof(ctypes.c_int)
        self.L.check(self.c.nn_setsockopt(self.s, level, self.L.sym["NN_" + name],
                                          ctypes.byref(buf), size),
                     "setsockopt:" + name, time.monotonic())
        self.opts[name] = value

    # -- primitive calls --------------------------------------------------

    def send(self, data, started, flags=0):
        buf = ctypes.create_string_buffer(data, len(data))
        self.L.check(self.c.nn_send(self.s, buf, len(data), flags), "send", started)

    def recv(self, started):
        ptr = ctypes.c_void_p()
        n = self.L.check(self.c.nn_recv(self.s, ctypes.byref(ptr), NN_MSG, 0), "recv", started)
        data = ctypes.string_at(ptr.value, n) if n else b""
        self.c.nn_freemsg(ptr)
        return data

    def recv_with_header(self, started):
        """nn_recvmsg with library-allocated body and control: (header, body).

        The control data is one cmsg (PROTO_SP, SP_HDR) whose data is a
        size_t length followed by the header bytes."""
        body, ctrl = ctypes.c_void_p(), ctypes.c_void_p()
        iov = IoVec(ctypes.cast(ctypes.byref(body), ctypes.c_void_p), NN_MSG)
        hdr = MsgHdr(ctypes.pointer(iov), 1,
                     ctypes.cast(ctypes.byref(ctrl), ctypes.c_void_p), NN_MSG)
        n = self.L.check(self.c.nn_recvmsg(self.s, ctypes.byref(hdr), 0), "recvmsg", started)
        data = ctypes.string_at(body.value, n) if n else b""
        self.c.nn_freemsg(body)
        header = b""
        if ctrl.value:
            cmsg = CmsgHdr.from_address(ctrl.value)
            if (cmsg.cmsg_level, cmsg.cmsg_type) == (PROTO_SP, SP_HDR):
                at = ctrl.value + ctypes.sizeof(CmsgHdr)
                size = ctypes.c_size_t.from_address(at).value
                header = ctypes.string_at(at + ctypes.sizeof(ctypes.c_size_t), size)
            self.c.nn_freemsg(ctrl)
        return header, data

    def with_timeout(self, ms):
        """RCVTIMEO for a probing loop; returns the value to restore."""
        old = self.opts.get("RCVTIMEO", -1)
        self.setopt("RCVTIMEO", ms)
        return old

    # -- script ops -------------------------------------------------------

    def op_send(self, step, started):
        for text in step["data"]:
            if step.get("lockstep"):
                wait_line()
            data = parse(text)
            self.send(data, started)
            say("sent", len(data))
            pause(step)

    def op_recv(self, step, started):
        skip = parse(step["skip"]) if "skip" in step else None
        got = 0
        while got < step.get("count", 1):
            data = self.recv(started)
            if data == skip:
                continue
            say("msg", describe(data))
            got += 1

    def op_recv_raw(self, step, started):
        """Raw sockets: report the SP header too ("raw HDRHEX LEN DIGEST HEX"),
        with the ms since the op began."""
        for _ in range(step.get("count", 1)):
            header, data = self.recv_with_header(started)
            say("raw", header.hex() or "-", int((time.monotonic() - started) * 1000),
                describe(data))

    def op_echo(self, step, started):
        """Receive and send every message back; probes are echoed but
        neither reported nor counted."""
        skip = parse(step["skip"]) if "skip" in step else None
        got = 0
        while got < step.get("count", 1):
            data = self.recv(started)
            if data != skip:
                say("msg", describe(data))
                got += 1
                pause(step)
            self.send(data, started)

    def op_request(self, step, started):
        """REQ/SURVEYOR: send each payload, report the reply (probe replies
        that are still in flight are skipped)."""
        for text in step["data"]:
            self.send(parse(text), started)
            while True:
                data = self.recv(started)
                if data != PROBE:
                    break
            say("msg", describe(data))

    def op_collect(self, step, started):
        """Report messages until a recv fails (e.g. the survey deadline);
        the failure is reported as an err line and ends the op."""
        if "send" in step:
            self.send(parse(step["send"]), started)
        try:
            while True:
                say("msg", describe(self.recv(started)))
        except Failed as e:
            say("err", "recv", e.errno, e.ms)

    def op_probe_until_reply(self, step, started):
        """BUS/SURVEYOR/REQ: send the probe until it comes back ("count"
        times in answer to one send: a surveyor with several respondents)."""
        probe = parse(step.get("data", "hex:" + PROBE.hex()))
        want = step.get("count", 1)
        old = self.with_timeout(step.get("ivl_ms", 100))
        try:
            got = 0
            while got < want:
                self.send(probe, started)
                got = 0
                try:
                    while got < want:
                        got += self.recv(started) == probe
                except Failed as e:
                    if e.errno not in ("ETIMEDOUT", "EFSM"):
                        raise
        finally:
            self.setopt("RCVTIMEO", old)
        say("synced")

    def op_probe_until_line(self, step, started):
        """PUB (or anything that drops): send the probe every ivl_ms until
        the test writes a line on stdin."""
        probe = parse(step.get("data", "hex:" + PROBE.hex()))
        ivl = step.get("ivl_ms", 20) / 1000.0
        while True:
            try:
                self.send(probe, started, flags=self.L.sym["NN_DONTWAIT"])
            except Failed as e:
                if e.errno != "EAGAIN":
                    raise
            if stdin_ready(ivl):
                take_line()
                break
        say("synced")

    def op_await(self, step, started):
        probe = parse(step.get("data", "hex:" + PROBE.hex()))
        while self.recv(started) != probe:
            pass
        say("synced")

    def op_wait_line(self, step, started):
        wait_line(step.get("timeout_s", 20))

    def op_sleep(self, step, started):
        time.sleep(step["ms"] / 1000.0)

    def op_print(self, step, started):
        say(step["text"])

    def op_stat(self, step, started):
        name = step["name"]
        say("stat", name, self.c.nn_get_statistic(self.s, self.L.sym["NN_STAT_" + name]))

    def op_whoami(self, step, started):
        """Which nanomsg this process runs on, and proof nnpy is absent."""
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f
                           if "nanomsg" in line or "_nnpy" in line})
        say("libs", *libs)
        say("nnpy", "nnpy" in sys.modules)

    def op_setopt(self, step, started):
        self.setopt(step["name"], step["value"])


def pause(step):
    if step.get("delay_ms"):
        time.sleep(step["delay_ms"] / 1000.0)


class _Stdin:
    """Line reader on fd 0 that works with select (no hidden buffering)."""
    buf = b""
    eof = False


def stdin_ready(timeout):
    """True once a whole line (or EOF) is waiting on stdin."""
    end = time.monotonic() + timeout
    while b"\n" not in _Stdin.buf and not _Stdin.eof:
        left = end - time.monotonic()
        if left <= 0 or not select.select([0], [], [], left)[0]:
            return False
        chunk = os.read(0, 4096)
        _Stdin.buf += chunk
        _Stdin.eof = not chunk
    return True


def take_line():
    line, _, _Stdin.buf = _Stdin.buf.partition(b"\n")
    return line


def wait_line(timeout=20):
    """Block until the test writes a line (or closes stdin)."""
    if stdin_ready(timeout):
        take_line()


def main(argv):
    lib_path, cfg = argv[1], json.loads(argv[2])
    # Never outlive a test that forgot us.
    signal.alarm(int(cfg.get("deadline_s", 30)))
    L = Lib(lib_path)
    peer = Peer(L, cfg)
    try:
        for addr in cfg.get("bind", []):
            L.check(peer.c.nn_bind(peer.s, addr.encode()), "bind", time.monotonic())
        for addr in cfg.get("connect", []):
            L.check(peer.c.nn_connect(peer.s, addr.encode()), "connect", time.monotonic())
    except Failed as e:
        say("err", e.op, e.errno, e.ms)
        return 2
    say("ready")
    for step in cfg.get("script", []):
        started = time.monotonic()
        try:
            getattr(peer, "op_" + step["op"])(step, started)
        except Failed as e:
            say("err", e.op, e.errno, e.ms)
            if e.errno not in step.get("ok", ()):
                return 2
    say("done")
    if cfg.get("hold", True):
        wait_line()
    peer.c.nn_close(peer.s)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
