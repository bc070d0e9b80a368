"""REQ/REP: request ids, resend, cancellation, EFSM."""
import time

import nnpy
from util import SHORT_MS, drain, errno_of


def test_round_trips(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    for i in range(50):
        req.send(b"q%d" % i)
        assert rep.recv() == b"q%d" % i
        rep.send(b"a%d" % i)
        assert req.recv() == b"a%d" % i


def test_req_recv_without_request_is_efsm(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    assert errno_of(req.recv) == nnpy.EFSM
    req.send(b"q")
    rep.recv()
    rep.send(b"a")
    assert req.recv() == b"a"
    assert errno_of(req.recv) == nnpy.EFSM   # reply already read


def test_rep_send_without_request_is_efsm(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    assert errno_of(rep.send, b"x") == nnpy.EFSM
    req.send(b"q")
    rep.recv()
    rep.send(b"a")
    assert errno_of(rep.send, b"again") == nnpy.EFSM   # already answered


def test_new_request_cancels_old(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    req.send(b"first")
    req.send(b"second")
    assert rep.recv() == b"first"
    rep.send(b"late answer")          # to the abandoned request: dropped
    assert rep.recv() == b"second"
    rep.send(b"answer")
    assert req.recv() == b"answer"


def test_resend_after_interval(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    req.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, 100)
    req.send(b"again?")
    t0 = time.monotonic()
    assert rep.recv() == b"again?"
    assert rep.recv() == b"again?"     # not answered: resent
    assert time.monotonic() - t0 >= 0.08
    rep.send(b"yes")
    assert req.recv() == b"yes"


def test_request_waits_for_a_peer(sock, addr):
    where = addr()
    req = sock(nnpy.REQ)
    req.connect(where)
    req.send(b"queued")                # no REP yet: succeeds at once
    rep = sock(nnpy.REP)
    rep.bind(where)
    assert rep.recv() == b"queued"
    rep.send(b"done")
    assert req.recv() == b"done"


def test_rep_serves_several_clients_in_order_of_arrival(sock, addr):
    where = addr()
    rep = sock(nnpy.REP)
    rep.bind(where)
    clients = [sock(nnpy.REQ) for _ in range(3)]
    for i, c in enumerate(clients):
        c.connect(where)
        c.send(b"c%d" % i)
    seen = set()
    for _ in clients:
        msg = rep.recv()
        seen.add(msg)
        rep.send(b"re " + msg)
    assert seen == {b"c0", b"c1", b"c2"}
    for i, c in enumerate(clients):
        assert c.recv() == b"re c%d" % i


def test_recv_abandons_unanswered_request(sock, addr):
    where = addr()
    rep = sock(nnpy.REP)
    rep.bind(where)
    c1, c2 = sock(nnpy.REQ), sock(nnpy.REQ, timeout=SHORT_MS)
    c1.connect(where)
    c2.connect(where)
    c2.send(b"from c2")
    assert rep.recv() == b"from c2"
    c1.send(b"from c1")
    assert rep.recv() == b"from c1"   # no EFSM; c2's request is dropped
    rep.send(b"to c1")
    assert c1.recv() == b"to c1"
    assert errno_of(c2.recv) == nnpy.ETIMEDOUT


def test_req_load_balances(sock, addr):
    where1, where2 = addr(), addr()
    r1, r2 = sock(nnpy.REP), sock(nnpy.REP)
    r1.bind(where1)
    r2.bind(where2)
    req = sock(nnpy.REQ)
    req.connect(where1)
    req.connect(where2)
    got = []
    for i in range(4):
        req.send(b"%d" % i)
        s = _first_ready(r1, r2)
        got.append(s)
        s.recv()
        s.send(b"ok")
        assert req.recv() == b"ok"
    assert r1 in got and r2 in got


def _first_ready(*socks):
    res = nnpy.PollSet(*[(s, nnpy.POLLIN) for s in socks]).poll(5000)
    for s, ev in zip(socks, res):
        if ev & nnpy.POLLIN:
            return s
    raise AssertionError("no REP got the request")


def test_drain_helper_sanity(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"1")
    a.send(b"2")
    deadline = time.monotonic() + 5
    got = []
    while len(got) < 2 and time.monotonic() < deadline:
        got += drain(b)
    assert got == [b"1", b"2"]
