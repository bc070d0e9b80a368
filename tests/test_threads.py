"""One socket used from several threads; close waking blocked calls."""
import threading
import time

import pytest

import nnpy
from util import in_thread


def test_several_senders_one_socket(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    n_threads, per_thread = 4, 500

    def produce(k):
        for i in range(per_thread):
            push.send(b"%d:%d" % (k, i))

    threads = [threading.Thread(target=produce, args=(k,), daemon=True)
               for k in range(n_threads)]
    for t in threads:
        t.start()
    got = [pull.recv() for _ in range(n_threads * per_thread)]
    for t in threads:
        t.join(10)
    assert len(set(got)) == n_threads * per_thread
    for k in range(n_threads):   # each sender's order is kept
        mine = [int(m.split(b":")[1]) for m in got if m.startswith(b"%d:" % k)]
        assert mine == list(range(per_thread))


def test_several_receivers_one_socket(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    total = 2000
    results = [[] for _ in range(4)]

    def consume(out):
        while True:
            m = pull.recv()
            if m == b"end":
                return
            out.append(m)

    threads = [threading.Thread(target=consume, args=(r,), daemon=True) for r in results]
    for t in threads:
        t.start()
    for i in range(total):
        push.send(b"%d" % i)
    for _ in threads:
        push.send(b"end")
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    got = [m for r in results for m in r]
    assert sorted(got, key=int) == [b"%d" % i for i in range(total)]


def test_concurrent_req_clients_through_one_rep(sock, addr):
    where = addr()
    rep = sock(nnpy.REP)
    rep.bind(where)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                rep.send(b"re " + rep.recv())
            except nnpy.TimedOutError:
                pass

    server = threading.Thread(target=serve, daemon=True)
    rep.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 100)
    server.start()

    def client(k):
        c = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
        c.rcvtimeo = 5000
        c.connect(where)
        for i in range(100):
            c.send(b"%d.%d" % (k, i))
            assert c.recv() == b"re %d.%d" % (k, i)
        c.close()
        return True

    runs = [in_thread(client, k) for k in range(4)]
    for t, result in runs:
        t.join(30)
        assert result.get("value") is True, result.get("error")
    stop.set()
    server.join(5)


@pytest.mark.parametrize("proto", [nnpy.PAIR, nnpy.PULL, nnpy.SUB, nnpy.REP, nnpy.BUS])
def test_close_wakes_blocked_recv(proto):
    s = nnpy.Socket(nnpy.AF_SP, proto)
    s.rcvtimeo = 10000
    t, result = in_thread(s.recv)
    time.sleep(0.2)
    assert t.is_alive()
    t0 = time.monotonic()
    s.close()
    t.join(5)
    assert not t.is_alive()
    assert time.monotonic() - t0 < 1
    err = result.get("error")
    assert isinstance(err, nnpy.NNError) and err.error_no == nnpy.EBADF, result


def test_close_wakes_blocked_send():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH)
    s.sndtimeo = 10000
    t, result = in_thread(s.send, b"nobody")
    time.sleep(0.2)
    s.close()
    t.join(5)
    assert not t.is_alive()
    assert result["error"].error_no == nnpy.EBADF


def test_close_wakes_several_blocked_threads():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
    s.rcvtimeo = 10000
    runs = [in_thread(s.recv) for _ in range(4)]
    time.sleep(0.2)
    s.close()
    for t, result in runs:
        t.join(5)
        assert not t.is_alive()
        assert result["error"].error_no == nnpy.EBADF


def test_close_while_other_thread_sends_in_loop(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    push.sndtimeo = 100

    def spam():
        n = 0
        while True:
            try:
                push.send(b"x")
                n += 1
            except nnpy.TimedOutError:
                pass
            except nnpy.BadSocketError:
                return n

    t, result = in_thread(spam)
    for _ in range(100):
        pull.recv()
    push.close()
    t.join(5)
    assert not t.is_alive()
    assert result.get("value", 0) >= 100, result
