"""The platform path the core was built with (NN_PORTABLE, see
vendor/nanomsg/src/utils/platform.h) and what every path must do alike."""
import os
import sys

from util import lib, ffi, run_python


def expected_backend():
    portable = os.environ.get("NN_PORTABLE", "") not in ("", "0")
    return "poll" if portable or not sys.platform.startswith("linux") else "epoll"


def test_backend_is_the_one_asked_for():
    # NN_PORTABLE=1 at build time must give the poll backend; the CI stage
    # that builds it so runs the suite with the same variable set.
    assert ffi.string(lib.nn_io_backend_name()).decode() == expected_backend()


PEER_GONE = r"""
import signal, socket, struct, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # Python ignores it by default
import nnpy

def one(addr, family, target, how):
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 200)
    s.bind(addr)
    p = socket.socket(family, socket.SOCK_STREAM)
    p.settimeout(5)
    p.connect(target)
    p.sendall(b"\0SP\0" + struct.pack(">H", nnpy.PAIR) + b"\0\0")
    got = b""
    while len(got) < 8:
        got += p.recv(8 - len(got))
    assert got == b"\0SP\0\0\x10\0\0", got
    s.send(b"hello")   # the connection is up: the first send goes through
    if how == "reset":
        p.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        p.close()
    else:
        # The peer stops reading but keeps the connection: the library sees
        # no end of stream, and its next write to a unix socket fails with
        # EPIPE, the case that raises SIGPIPE.
        p.shutdown(socket.SHUT_RD)
    for _ in range(200):   # writes to a gone peer: errors, never SIGPIPE
        try:
            s.send(b"x" * 1000, nnpy.DONTWAIT)
        except nnpy.NNError:
            pass
        time.sleep(0.002)
    s.close()

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
one("tcp://127.0.0.1:%d" % port, socket.AF_INET, ("127.0.0.1", port), "reset")
path = "TMPDIR/peer.ipc"
one("ipc://" + path, socket.AF_UNIX, path, "shut_rd")
print("survived")
"""


def test_peer_gone_never_raises_sigpipe(tmp_path):
    r = run_python(PEER_GONE.replace("TMPDIR", str(tmp_path)), timeout=60)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert r.stdout.strip() == "survived"
