"""nn_poll, PollSet, and the NN_SNDFD/NN_RCVFD readiness fds."""
import select
import time

import nnpy
from util import c_errno, ffi, in_thread, lib


def _readable(fd, timeout=0.0):
    return bool(select.select([fd], [], [], timeout)[0])


def test_pollset(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    ps = nnpy.PollSet((a, nnpy.POLLIN | nnpy.POLLOUT), (b, nnpy.POLLIN))
    assert ps.poll() == [nnpy.POLLOUT, 0]
    a.send(b"x")
    assert ps.poll() == [nnpy.POLLOUT, nnpy.POLLIN]
    b.recv()
    assert ps.poll(10) == [nnpy.POLLOUT, 0]


def test_pollset_timeout_clears_revents(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    ps = nnpy.PollSet((b, nnpy.POLLIN))
    a.send(b"x")
    assert ps.poll(1000) == [nnpy.POLLIN]
    b.recv()
    t0 = time.monotonic()
    assert ps.poll(100) == [0]        # no stale POLLIN from the previous call
    assert 0.08 <= time.monotonic() - t0 < 2


def test_pollset_accepts_socket_numbers(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"x")
    assert nnpy.PollSet((b.sock, nnpy.POLLIN)).poll(1000) == [nnpy.POLLIN]


def test_pollset_wakes_on_send_from_thread(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    t, _ = in_thread(lambda: (time.sleep(0.1), a.send(b"late")))
    t0 = time.monotonic()
    assert nnpy.PollSet((b, nnpy.POLLIN)).poll(5000) == [nnpy.POLLIN]
    assert time.monotonic() - t0 < 4
    t.join(5)


def test_nn_poll_raw(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    fds = ffi.new("struct nn_pollfd[]", 2)
    fds[0].fd, fds[0].events = a.sock, nnpy.POLLIN | nnpy.POLLOUT
    fds[1].fd, fds[1].events = b.sock, nnpy.POLLIN
    assert lib.nn_poll(fds, 2, 0) == 1
    assert (fds[0].revents, fds[1].revents) == (nnpy.POLLOUT, 0)
    a.send(b"x")
    assert lib.nn_poll(fds, 2, 0) == 2
    assert fds[1].revents == nnpy.POLLIN


def test_nn_poll_timeout_and_empty():
    t0 = time.monotonic()
    assert lib.nn_poll(ffi.NULL, 0, 50) == 0
    assert time.monotonic() - t0 >= 0.04


def test_rcvfd_is_level_triggered(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    fd = b.rcvfd
    assert not _readable(fd)
    a.send(b"1")
    a.send(b"2")
    assert _readable(fd, 5)
    assert _readable(fd)              # still readable: nothing consumed it
    b.recv()
    assert _readable(fd)              # one message left
    b.recv()
    assert not _readable(fd)
    assert b.rcvfd == fd              # the same fd every time


def test_sndfd_follows_send_ability(sock, addr):
    where = addr()
    a = sock(nnpy.PAIR)
    fd = a.sndfd
    assert not _readable(fd)          # no peer: a send would block
    b = sock(nnpy.PAIR)
    b.bind(where)
    a.connect(where)
    assert _readable(fd, 5)


def test_sndfd_goes_unreadable_when_peer_queue_is_full(link):
    pull, push = link(nnpy.PULL, nnpy.PUSH)
    fd = push.sndfd
    assert _readable(fd, 5)
    chunk = b"x" * 65536
    sent = 0
    while sent < 64:
        try:
            push.send(chunk, nnpy.DONTWAIT)
        except nnpy.WouldBlockError:
            break
        sent += 1
    assert sent < 64, "RCVBUF never filled"
    assert not _readable(fd)
    pull.recv()
    assert _readable(fd, 5)


def test_select_on_several_sockets(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    c, d = link(nnpy.PAIR, nnpy.PAIR)
    fds = {b.rcvfd: b, d.rcvfd: d}
    c.send(b"to d")
    ready = select.select(list(fds), [], [], 5)[0]
    assert [fds[f] for f in ready] == [d]


def test_req_rep_readiness(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    assert _readable(req.sndfd)            # REQ can always send
    assert not _readable(rep.sndfd)        # REP: no request pending
    req.send(b"q")
    assert _readable(rep.rcvfd, 5)
    rep.recv()
    assert _readable(rep.sndfd)
    rep.send(b"a")
    assert not _readable(rep.sndfd)
    assert _readable(req.rcvfd, 5)


def test_idle_surveyor_polls_in_and_out(sock):
    s = sock(nnpy.SURVEYOR)
    assert nnpy.PollSet((s, nnpy.POLLIN | nnpy.POLLOUT)).poll() == \
        [nnpy.POLLIN | nnpy.POLLOUT]


def test_poll_bad_socket():
    assert c_errno(lib.nn_poll(ffi.new("struct nn_pollfd[]", [{"fd": -1, "events": 1}]),
                               1, 0)) == nnpy.EBADF


def test_fds_signalled_on_close():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    fd = s.rcvfd
    t, result = in_thread(lambda: _readable(fd, 5))
    time.sleep(0.1)
    s.close()
    t.join(5)
    assert result.get("value") is True
