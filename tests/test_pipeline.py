"""PUSH/PULL: load balancing by SNDPRIO, fair queueing by RCVPRIO."""
import nnpy
from util import SHORT_MS, errno_of, wait_for


def test_push_pull(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    for i in range(100):
        push.send(b"%d" % i)
    assert [pull.recv() for _ in range(100)] == [b"%d" % i for i in range(100)]


def test_round_robin_between_pullers(sock, addr):
    where = addr()
    push = sock(nnpy.PUSH)
    push.bind(where)
    pulls = [sock(nnpy.PULL, timeout=SHORT_MS) for _ in range(2)]
    for p in pulls:
        p.connect(where)
    for i in range(10):
        push.send(b"%d" % i)
    counts = [len(_all(p)) for p in pulls]
    assert sum(counts) == 10
    assert counts == [5, 5]


def test_send_priority(sock, addr):
    push = sock(nnpy.PUSH)
    good, bad = sock(nnpy.PULL, timeout=SHORT_MS), sock(nnpy.PULL, timeout=SHORT_MS)
    w_good, w_bad = addr(), addr()
    good.bind(w_good)
    bad.bind(w_bad)
    push.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDPRIO, 2)
    push.connect(w_bad)
    push.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDPRIO, 1)
    push.connect(w_good)
    for i in range(10):
        push.send(b"%d" % i)
    assert len(_all(good)) == 10
    assert _all(bad) == []
    assert push.get_statistic(nnpy.STAT_CURRENT_SND_PRIORITY) == 1


def test_send_priority_falls_back_when_best_is_gone(sock, addr):
    push = sock(nnpy.PUSH)
    best, other = sock(nnpy.PULL), sock(nnpy.PULL)
    w_best, w_other = addr(), addr()
    best.bind(w_best)
    other.bind(w_other)
    push.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDPRIO, 1)
    eid = push.connect(w_best)
    push.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDPRIO, 9)
    push.connect(w_other)
    push.send(b"1")
    assert best.recv() == b"1"
    push.shutdown(eid)
    wait_for(lambda: push.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) == 1)
    push.send(b"2")
    assert other.recv() == b"2"


def test_receive_priority(sock, addr):
    pull = sock(nnpy.PULL, timeout=SHORT_MS)
    w_low, w_high = addr(), addr()
    pull.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVPRIO, 5)
    pull.bind(w_low)
    pull.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVPRIO, 1)
    pull.bind(w_high)
    low, high = sock(nnpy.PUSH), sock(nnpy.PUSH)
    low.connect(w_low)
    high.connect(w_high)
    for i in range(3):
        low.send(b"low%d" % i)
        high.send(b"high%d" % i)
    got = _all(pull)
    assert got == [b"high0", b"high1", b"high2", b"low0", b"low1", b"low2"]


def test_fair_queue_same_priority(sock, addr):
    where = addr()
    pull = sock(nnpy.PULL, timeout=SHORT_MS)
    pull.bind(where)
    a, b = sock(nnpy.PUSH), sock(nnpy.PUSH)
    a.connect(where)
    b.connect(where)
    for i in range(3):
        a.send(b"a%d" % i)
        b.send(b"b%d" % i)
    got = _all(pull)
    assert sorted(got) == sorted([b"a0", b"a1", b"a2", b"b0", b"b1", b"b2"])
    # one message per peer per turn
    assert {got[0][:1], got[1][:1]} == {b"a", b"b"}
    assert [m for m in got if m[:1] == b"a"] == [b"a0", b"a1", b"a2"]


def test_push_blocks_without_puller(sock):
    push = sock(nnpy.PUSH, timeout=SHORT_MS)
    assert errno_of(push.send, b"x") == nnpy.ETIMEDOUT
    assert errno_of(push.send, b"x", nnpy.DONTWAIT) == nnpy.EAGAIN


def test_directions(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    assert errno_of(pull.send, b"x") == nnpy.ENOTSUP
    assert errno_of(push.recv) == nnpy.ENOTSUP


def _all(s):
    got = []
    while True:
        try:
            got.append(s.recv())
        except nnpy.TimedOutError:
            return got


def test_send_priority_statistic_life(sock, addr):
    # As libnanomsg 1.1.5 reports it: 0 on a fresh socket, the best
    # priority while a pipe can send, -1 once no pipe is left.
    push, pull = sock(nnpy.PUSH), sock(nnpy.PULL)
    assert push.get_statistic(nnpy.STAT_CURRENT_SND_PRIORITY) == 0
    where = addr()
    pull.bind(where)
    push.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDPRIO, 3)
    push.connect(where)
    assert push.get_statistic(nnpy.STAT_CURRENT_SND_PRIORITY) == 3
    pull.close()
    assert push.get_statistic(nnpy.STAT_CURRENT_SND_PRIORITY) == -1
