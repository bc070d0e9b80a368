"""An nng peer (through pynng), run as its own process and driven by commands.

    python nngpeer.py

pynng bundles its own nng, which also exports the nanomsg compatibility
symbols (nn_*): it must never share a process with nnpy. This process
imports pynng and nothing of nnpy; the tests talk to it over stdin/stdout,
one JSON object a line each way. Unlike refpeer.py (one scripted socket
per process) one peer serves many sockets in turn, so a whole matrix of
protocol pairs costs one interpreter start.

Commands (every one carries "seq", echoed in its answer):
  {"op": "socket", "id": K, "type": "REQ", "opts": {"resend_time": 300}}
  {"op": "listen" | "dial", "id": K, "addr": "tcp://..."}
  {"op": "send", "id": K, "data": SPEC}
  {"op": "recv", "id": K, "timeout": MS, "skip": SPEC}
  {"op": "echo", "id": K, "timeout": MS, "skip": SPEC}  recv, report, send back
  ("latest": true on recv/echo: then take the newest message queued)
  {"op": "close", "id": K} / {"op": "closeall"} / {"op": "whoami"}
Answers: {"seq": N, "ok": true, ...} with "msg": payloads.describe() for a
received message, or {"seq": N, "ok": false, "err": NAME, "ms": MS}.
SPEC is a payloads.spec() string. "opts" are pynng socket attributes
(recv_timeout, resend_time, survey_time, recv_max_size, ...) plus
"subscribe" (a SPEC) for SUB.
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from payloads import describe, parse  # noqa: E402

import pynng  # noqa: E402
from pynng import ffi, lib  # noqa: E402
from pynng.exceptions import check_err  # noqa: E402

CLASSES = {
    "PAIR": "Pair0", "REQ": "Req0", "REP": "Rep0", "PUB": "Pub0", "SUB": "Sub0",
    "PUSH": "Push0", "PULL": "Pull0", "SURVEYOR": "Surveyor0",
    "RESPONDENT": "Respondent0", "BUS": "Bus0",
}
DEFAULT_TIMEOUT_MS = 5000
WS_MAX_FRAME = 16 << 20


class Failed(Exception):
    pass


class Peer:
    def __init__(self):
        self.socks = {}

    def op_socket(self, cmd):
        opts = dict(cmd.get("opts", {}))
        sub = opts.pop("subscribe", None)
        # A message up to 1 MiB plus its header must get through; nng's
        # default limit is 1 MiB.
        opts.setdefault("recv_max_size", 0)
        opts.setdefault("recv_timeout", DEFAULT_TIMEOUT_MS)
        opts.setdefault("send_timeout", DEFAULT_TIMEOUT_MS)
        opts.setdefault("reconnect_time_min", 50)
        opts.setdefault("reconnect_time_max", 200)
        sock = getattr(pynng, CLASSES[cmd["type"]])()
        for name, value in opts.items():
            setattr(sock, name, value)
        if sub is not None:
            sock.subscribe(parse(sub))
        self.socks[cmd["id"]] = sock
        return {}

    def _endpoint(self, cmd, dial):
        """A dialer or listener; for ws with nng's per-frame limit (1 MiB by
        default, an endpoint option only) raised, since a 1 MiB message
        plus its SP header travels as one frame."""
        sock, addr = self.socks[cmd["id"]], cmd["addr"].encode()
        kind = "dialer" if dial else "listener"
        ep = ffi.new("nng_%s *" % kind)
        check_err(getattr(lib, "nng_%s_create" % kind)(ep, sock.socket, addr))
        if addr.startswith(b"ws:"):
            check_err(getattr(lib, "nng_%s_set_size" % kind)(
                ep[0], b"ws:rxframe-max", WS_MAX_FRAME))
        # A dialer does not wait: nng redials in the background, as
        # nn_connect does.
        check_err(getattr(lib, "nng_%s_start" % kind)(
            ep[0], lib.NNG_FLAG_NONBLOCK if dial else 0))
        return {}

    def op_listen(self, cmd):
        return self._endpoint(cmd, dial=False)

    def op_dial(self, cmd):
        return self._endpoint(cmd, dial=True)

    def op_send(self, cmd):
        self.socks[cmd["id"]].send(parse(cmd["data"]))
        return {}

    def _recv(self, cmd):
        sock = self.socks[cmd["id"]]
        sock.recv_timeout = cmd.get("timeout", DEFAULT_TIMEOUT_MS)
        skip = parse(cmd["skip"]) if "skip" in cmd else None
        while True:
            # recv_msg: pynng's recv() fails on an empty message.
            data = sock.recv_msg().bytes
            if data != skip:
                break
        if cmd.get("latest"):
            # Take the newest of what is queued (a survey or probe answered
            # late would otherwise keep a backlog of stale ones).
            while True:
                try:
                    data = sock.recv_msg(block=False).bytes
                except pynng.TryAgain:
                    break
        return data

    def op_recv(self, cmd):
        return {"msg": describe(self._recv(cmd))}

    def op_echo(self, cmd):
        data = self._recv(cmd)
        self.socks[cmd["id"]].send(data)
        return {"msg": describe(data)}

    def op_close(self, cmd):
        sock = self.socks.pop(cmd["id"], None)
        if sock is not None:
            sock.close()
        return {}

    def op_closeall(self, cmd):
        for key in list(self.socks):
            self.socks.pop(key).close()
        return {}

    def op_whoami(self, cmd):
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f
                           if "nng" in line or "nanomsg" in line or "_nnpy" in line})
        return {"libs": libs, "nnpy": "nnpy" in sys.modules,
                "pynng": getattr(pynng, "__version__", "?")}


def main():
    # Never outlive a test run that forgot us.
    signal.alarm(int(os.environ.get("NNGPEER_DEADLINE_S", "900")))
    peer = Peer()
    out = sys.stdout
    out.write(json.dumps({"seq": 0, "ok": True, "ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        started = time.monotonic()
        try:
            answer = getattr(peer, "op_" + cmd["op"])(cmd)
            answer["ok"] = True
        except Exception as e:  # noqa: BLE001 - reported, the peer goes on
            answer = {"ok": False, "err": type(e).__name__, "text": str(e),
                      "ms": int((time.monotonic() - started) * 1000)}
        answer["seq"] = cmd.get("seq", 0)
        out.write(json.dumps(answer) + "\n")
        out.flush()
    peer.op_closeall({})
    return 0


if __name__ == "__main__":
    sys.exit(main())
