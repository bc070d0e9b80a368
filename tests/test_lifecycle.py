"""ResourceWarning for sockets collected while open; nnpy.device and nnpy.term."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import nnpy
from util import run_python

RAW = nnpy.AF_SP_RAW


def _run(code):
    return run_python(textwrap.dedent(code), timeout=60)


def test_unclosed_socket_warns_and_closes():
    out = _run("""
        import gc, warnings, nnpy
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
            n = s.sock
            del s
            gc.collect()
        assert [w.category for w in caught] == [ResourceWarning], caught
        assert "unclosed nnpy.Socket sock=%d" % n in str(caught[0].message)
        assert nnpy.nanomsg.nn_close(n) == -1      # it was closed
        with warnings.catch_warnings(record=True) as caught:
            t = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
            t.close()
            del t
            with nnpy.Socket(nnpy.AF_SP, nnpy.PAIR):
                pass
            gc.collect()
        assert caught == [], caught
        print("ok")
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_no_warning_in_forked_child():
    out = _run("""
        import gc, os, warnings, nnpy
        warnings.simplefilter("always")
        s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
        pid = os.fork()
        if pid == 0:
            with warnings.catch_warnings(record=True) as caught:
                del s
                gc.collect()
            os._exit(0 if caught == [] else 3)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0, status
        s.close()
        print("ok")
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_warning_shown_with_dev_mode():
    out = subprocess.run([sys.executable, "-X", "dev", "-c",
                          "import nnpy\ns = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)\ndel s\n"],
                         capture_output=True, text=True, timeout=60, cwd="/")
    assert "ResourceWarning: unclosed nnpy.Socket" in out.stderr


def _device_pair(sock, addr, proto_a, proto_b):
    a, b = sock(proto_a, RAW), sock(proto_b, RAW)
    a.bind(addr())
    b.bind(addr())
    return a, b


def test_one_way_device_ends_when_a_socket_closes(sock, addr):
    a, b = _device_pair(sock, addr, nnpy.PULL, nnpy.PUSH)
    for s in (a, b):
        s.rcvtimeo = s.sndtimeo = -1      # only the close may end it
    errors = []

    def run():
        try:
            nnpy.device(a, b)
        except nnpy.NNError as e:
            errors.append(e)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    time.sleep(0.1)
    assert t.is_alive()
    a.close()
    t.join(1)
    assert not t.is_alive()
    assert [type(e) for e in errors] == [nnpy.BadSocketError]
    assert errors[0].error_no == nnpy.EBADF


def test_two_way_device_ends_when_both_close(sock, addr):
    # As with libnanomsg 1.1.5: each direction ends when its own receive
    # fails, so closing one socket leaves the other direction waiting.
    a, b = _device_pair(sock, addr, nnpy.REP, nnpy.REQ)
    for s in (a, b):
        s.rcvtimeo = s.sndtimeo = -1
    errors = []
    t = threading.Thread(target=lambda: errors.append(pytest.raises(nnpy.NNError, nnpy.device,
                                                                    a, b).value), daemon=True)
    t.start()
    time.sleep(0.1)
    a.close()
    t.join(0.3)
    assert t.is_alive()
    b.close()
    t.join(2)
    assert not t.is_alive()
    assert errors[0].error_no == nnpy.EBADF


def test_device_forwards(sock, addr):
    front, back = addr("front"), addr("back")
    dev_rep, dev_req = sock(nnpy.REP, RAW), sock(nnpy.REQ, RAW)
    dev_rep.bind(front)
    dev_req.bind(back)
    t = threading.Thread(target=lambda: pytest.raises(nnpy.NNError, nnpy.device,
                                                      dev_rep, dev_req), daemon=True)
    t.start()
    server, client = sock(nnpy.REP), sock(nnpy.REQ)
    server.connect(back)
    client.connect(front)
    client.send(b"ping")
    server.send(server.recv() + b"/pong")
    assert client.recv() == b"ping/pong"
    # After traffic the core's second direction waits for its own socket:
    # both are closed (as tests/test_device.py does).
    dev_rep.close()
    dev_req.close()
    t.join(5)
    assert not t.is_alive()


def test_device_bad_sockets(sock):
    with pytest.raises(nnpy.InvalidArgumentError) as info:
        nnpy.device(sock(nnpy.PAIR), sock(nnpy.PAIR))    # not raw
    assert str(info.value).startswith("device(")
    with pytest.raises(nnpy.BadSocketError):
        nnpy.device(-1, -1)


@pytest.mark.parametrize("protos", ["REP, nnpy.REQ", "PULL, nnpy.PUSH"])
def test_device_ctrl_c_and_term(protos):
    code = """
        import os, signal, threading, time, nnpy
        a = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.%s)
        b = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.%s)
        a.bind("inproc://a"); b.bind("inproc://b")
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        t0 = time.monotonic()
        try:
            nnpy.device(a, b)
        except KeyboardInterrupt:
            print("interrupted", round(time.monotonic() - t0, 1) < 2)
        # nnpy.term() from another thread ends a running device with EBADF.
        c = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.%s)
        d = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.%s)
        threading.Timer(0.2, nnpy.term).start()
        try:
            nnpy.device(c, d)
        except nnpy.BadSocketError as e:
            print("term", e.error_no == nnpy.EBADF)
    """ % tuple(protos.replace("nnpy.", "").split(", ") * 2)
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["interrupted", "True", "term", "True"]
