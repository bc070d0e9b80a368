"""The slide example (PAIR) over ipc and tcp: both ends in one process, and
split over two scripts run as two processes, including the verbatim
``tcp://localhost:PORT`` on both ends.

Binding ``tcp://localhost:PORT`` is our extension: libnanomsg 1.1.5 refuses
host names in nn_bind with ENODEV (checked below), but it connects to one.
"""
import os
import sys
import textwrap

import pytest

import nnpy

from .conftest import free_port
from .payloads import describe, spec

pytestmark = pytest.mark.timeout(30)

WHERE = ["ipc", "tcp-127.0.0.1", "tcp-localhost"]

# The two halves of the slide, as files; each keeps to the slide's calls
# plus a receive timeout. The binding side holds its socket until told to
# close (stdin), since nn_close may discard a reply not yet written.
BIND_SCRIPT = textwrap.dedent("""\
    import sys
    import nnpy

    p1 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    p1.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 5000)
    p1.bind(sys.argv[1])
    print("ready", flush=True)
    print(p1.recv(), flush=True)
    p1.send(b"world")
    sys.stdin.readline()
    p1.close()
""")

CONNECT_SCRIPT = textwrap.dedent("""\
    import sys
    import nnpy

    p2 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    p2.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 5000)
    p2.connect(sys.argv[1])
    p2.send(b"hello")
    print(p2.recv(), flush=True)
    p2.close()
""")


def slide_address(where, ipc_dir):
    if where == "ipc":
        return "ipc://%s/pair.ipc" % ipc_dir
    host = where.split("-", 1)[1]
    return "tcp://%s:%d" % (host, free_port())


@pytest.fixture
def scripts(tmp_path):
    (tmp_path / "bind_side.py").write_text(BIND_SCRIPT)
    (tmp_path / "connect_side.py").write_text(CONNECT_SCRIPT)
    return tmp_path


def python(child, script, *args):
    # A script's own directory heads sys.path, so the installed nnpy is
    # imported, as a user would.
    return child([sys.executable, str(script), *args], os.path.basename(str(script)))


@pytest.mark.parametrize("where", WHERE)
def test_slide_one_process(where, ipc_dir):
    addr = slide_address(where, ipc_dir)
    p1 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    p2 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    try:
        for s in (p1, p2):
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 5000)
            s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, 5000)
        p1.bind(addr)
        p2.connect(addr)
        p1.send(b"hello")
        assert p2.recv() == b"hello"
        p2.send(b"world")
        assert p1.recv() == b"world"
    finally:
        p1.close()
        p2.close()


@pytest.mark.parametrize("where", WHERE)
def test_slide_two_processes(where, ipc_dir, scripts, child):
    addr = slide_address(where, ipc_dir)
    server = python(child, scripts / "bind_side.py", addr)
    assert server.line() == "ready"
    client = python(child, scripts / "connect_side.py", addr)
    assert client.line() == "b'world'"
    assert server.line() == "b'hello'"
    server.tell("bye")
    assert client.proc.wait(timeout=10) == 0, client.context()
    assert server.proc.wait(timeout=10) == 0, server.context()


@pytest.mark.parametrize("where", WHERE)
def test_slide_reference_connects_to_our_bind(where, ipc_dir, scripts, child, refpeer):
    """Our slide script binds (localhost included); the reference library
    plays the connecting half."""
    addr = slide_address(where, ipc_dir)
    server = python(child, scripts / "bind_side.py", addr)
    assert server.line() == "ready"
    peer = refpeer("PAIR", connect=[addr], script=[{"op": "request", "data": [spec(b"hello")]}])
    assert peer.message() == describe(b"world")
    assert server.line() == "b'hello'"
    server.tell("bye")
    assert server.proc.wait(timeout=10) == 0, server.context()
    peer.finish()


@pytest.mark.parametrize("where", ["ipc", "tcp-127.0.0.1"])
def test_slide_our_connect_to_reference_bind(where, ipc_dir, scripts, child, refpeer):
    addr = slide_address(where, ipc_dir)
    peer = refpeer("PAIR", bind=[addr], script=[{"op": "echo"}])
    client = python(child, scripts / "connect_side.py", addr)
    assert client.line() == "b'hello'"
    assert peer.message() == describe(b"hello")
    assert client.proc.wait(timeout=10) == 0, client.context()
    peer.finish()


def test_reference_refuses_to_bind_localhost(refpeer):
    """The documented difference: libnanomsg's nn_bind rejects host names."""
    addr = "tcp://localhost:%d" % free_port()
    with pytest.raises(AssertionError, match="err bind ENODEV"):
        refpeer("PAIR", bind=[addr])
    ours = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    try:
        assert ours.bind(addr) >= 1
    finally:
        ours.close()

