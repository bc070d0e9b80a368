"""Signals: Ctrl-C ends a blocking recv; other signals do not disturb it."""
import signal
import subprocess
import sys
import threading
import time

import pytest

import nnpy

CHILD = r"""
import sys, nnpy
s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
s.bind("inproc://ctrl-c")
s.rcvtimeo = 30000
print("ready", flush=True)
s.recv()
print("recv returned", flush=True)
"""


def test_ctrl_c_interrupts_blocking_recv():
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd="/")
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.3)             # let it block inside nn_recv
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    err = p.stderr.read()
    assert "KeyboardInterrupt" in err, err
    assert rc != 0
    assert elapsed < 1.0, elapsed


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals reach the main thread only")
def test_signal_with_quiet_handler_does_not_break_recv(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    hits = []
    old = signal.signal(signal.SIGUSR1, lambda *_: hits.append(1))
    try:
        main = threading.main_thread().ident

        def later():
            time.sleep(0.2)
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.2)
            a.send(b"after the signal")

        t = threading.Thread(target=later, daemon=True)
        t.start()
        assert b.recv() == b"after the signal"    # EINTR retried inside nnpy
        t.join(5)
        assert hits == [1]
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_raw_recv_reports_eintr(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    old = signal.signal(signal.SIGUSR1, lambda *_: None)
    try:
        main = threading.main_thread().ident
        timer = threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGUSR1))
        timer.start()
        pp = nnpy.ffi.new("void **")
        rc = nnpy.nanomsg.nn_recv(b.sock, pp, nnpy.NN_MSG, 0)
        err = nnpy.nanomsg.nn_errno()
        timer.join()
        assert (rc, err) == (-1, nnpy.EINTR)
    finally:
        signal.signal(signal.SIGUSR1, old)
