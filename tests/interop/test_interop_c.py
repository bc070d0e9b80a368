"""A C program built on our vendored core (c_peer.c) talking to an nnpy
socket in this process, over tcp and ipc, with PAIR and REQ/REP."""
import os
import shutil
import subprocess

import pytest

import nnpy

from .payloads import STANDARD

pytestmark = [pytest.mark.timeout(60), pytest.mark.source_tree]

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "vendor", "nanomsg")


def fnv1a64(data: bytes) -> int:
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


REPORTS = ["%d %016x" % (len(p), fnv1a64(p)) for p in STANDARD]


@pytest.fixture(scope="module")
def c_peer(tmp_path_factory):
    """c_peer.c compiled against include/ and build/libnanomsg.a."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (cc and shutil.which("make")):
        pytest.skip("make and a C compiler are needed for the C interop test")
    # NN_PORTABLE=1 in the environment: make builds the portable path into
    # build-portable/ (vendor/nanomsg/Makefile).
    build = "build-portable" if os.environ.get("NN_PORTABLE", "") == "1" else "build"
    r = subprocess.run(["make", "-C", CORE, build + "/libnanomsg.a"], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, "building libnanomsg.a failed:\n%s\n%s" % (
        r.stdout[-3000:], r.stderr[-3000:])
    exe = str(tmp_path_factory.mktemp("cpeer") / "c_peer")
    r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1",
                        "-I", os.path.join(CORE, "include"), os.path.join(HERE, "c_peer.c"),
                        os.path.join(CORE, build, "libnanomsg.a"), "-pthread", "-o", exe],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "compiling c_peer.c failed:\n" + r.stderr[-3000:]
    return exe


# (C type, C role, our type, how we take part)
CASES = {
    "pair-c_echo": ("pair", "echo", nnpy.PAIR, "ping"),
    "pair-c_ping": ("pair", "ping", nnpy.PAIR, "echo"),
    "c_req-our_rep": ("req", "ping", nnpy.REP, "echo"),
    "c_rep-our_req": ("rep", "echo", nnpy.REQ, "ping"),
}


@pytest.mark.parametrize("c_binds", [True, False], ids=["c_binds", "we_bind"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("case", list(CASES))
def test_c_program_and_nnpy(case, transport, c_binds, c_peer, child, ours, address):
    ctype, crole, mine, my_role = CASES[case]
    where = address(transport)
    sock = ours(mine, RCVMAXSIZE=-1)
    if not c_binds:
        sock.bind(where)
    prog = child([c_peer, ctype, crole, "bind" if c_binds else "connect", where], "c_peer")
    assert prog.line() == "ready", prog.context()
    if c_binds:
        sock.connect(where)
    for p in STANDARD:
        if my_role == "ping":
            sock.send(p)
            assert sock.recv() == p
        else:
            got = sock.recv()
            assert got == p
            sock.send(got)
    assert [prog.line() for _ in STANDARD] == ["msg " + r for r in REPORTS], prog.context()
    assert prog.line() == "done"
    prog.tell("bye")
    assert prog.proc.wait(timeout=10) == 0, prog.context()
