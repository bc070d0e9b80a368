"""Error messages name the failed call and its argument; classes and
error_no are those of nnpy 1.x."""
import time

import pytest

import nnpy
from async_util import free_port


def test_bind_address_in_use(sock):
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR)
    for _ in range(10):
        where = "tcp://127.0.0.1:%d" % free_port()
        try:
            a.bind(where)
            break
        except nnpy.AddressInUseError:
            continue
    with pytest.raises(nnpy.AddressInUseError) as info:
        b.bind(where)
    assert str(info.value) == "bind(%r): Address already in use" % where
    assert info.value.error_no == nnpy.EADDRINUSE
    assert info.value.strerror == str(info.value)


def test_connect_names_address(sock):
    s = sock(nnpy.PAIR)
    with pytest.raises(nnpy.InvalidArgumentError) as info:
        s.connect("ws://")
    assert str(info.value).startswith("connect('ws://'): ")


def test_setsockopt_names_option_and_value(sock):
    s = sock(nnpy.PAIR)
    with pytest.raises(nnpy.InvalidArgumentError) as info:
        s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVBUF, -5)
    assert str(info.value) == "setsockopt(RCVBUF, -5): Invalid argument"
    with pytest.raises(nnpy.NoProtocolOptionError) as info:
        s.getsockopt(nnpy.TCP, nnpy.TCP_NODELAY + 40)
    assert str(info.value).startswith("getsockopt(")


def test_recv_timeout_says_so(sock):
    s = sock(nnpy.PAIR, timeout=120)
    s.bind("inproc://timeout-text-%d" % id(s))
    t0 = time.monotonic()
    with pytest.raises(nnpy.TimedOutError) as info:
        s.recv()
    assert time.monotonic() - t0 >= 0.11
    assert str(info.value) == "recv: timed out after 120 ms (RCVTIMEO)"
    assert info.value.error_no == nnpy.ETIMEDOUT
    assert isinstance(info.value, TimeoutError)


def test_send_timeout_says_so(sock):
    s = sock(nnpy.PUSH, timeout=80)
    with pytest.raises(nnpy.TimedOutError) as info:
        s.send(b"x")
    assert str(info.value) == "send: timed out after 80 ms (SNDTIMEO)"


def test_survey_deadline_says_so(link):
    surveyor, resp = link(nnpy.SURVEYOR, nnpy.RESPONDENT)
    surveyor.surveyor_deadline = 60
    surveyor.send(b"q")
    with pytest.raises(nnpy.TimedOutError) as info:
        surveyor.recv()
    assert str(info.value) == "recv: survey deadline passed after 60 ms (SURVEYOR_DEADLINE)"


def test_unresolvable_bind_host(sock):
    s = sock(nnpy.PAIR)
    with pytest.raises(nnpy.NNError) as info:
        s.bind("tcp://no-such-host.invalid:5555")
    assert info.value.error_no == nnpy.ENODEV
    assert "cannot resolve 'no-such-host.invalid'" in str(info.value)
    assert str(info.value).startswith("bind('tcp://no-such-host.invalid:5555'): ")


def test_state_error_names_call(link):
    rep, req = link(nnpy.REP, nnpy.REQ)
    with pytest.raises(nnpy.StateError) as info:
        req.recv()
    assert str(info.value) == "recv: Operation cannot be performed in this state"


def test_closed_socket(sock):
    s = sock(nnpy.PAIR)
    s.close()
    with pytest.raises(nnpy.BadSocketError) as info:
        s.send(b"x")
    assert str(info.value) == "send: Bad file descriptor"
    assert info.value.error_no == nnpy.EBADF
