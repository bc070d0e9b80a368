"""SURVEYOR/RESPONDENT: surveys, deadline (ETIMEDOUT once, then EFSM)."""
import time

import pytest

import nnpy
from util import errno_of


@pytest.fixture
def survey(sock, addr):
    def make(n=2, deadline=1000):
        where = addr()
        surveyor = sock(nnpy.SURVEYOR)
        surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, deadline)
        surveyor.bind(where)
        resps = []
        for _ in range(n):
            r = sock(nnpy.RESPONDENT)
            r.connect(where)
            resps.append(r)
        return surveyor, resps
    return make


def test_survey_and_answers(survey):
    surveyor, resps = survey(3)
    surveyor.send(b"who?")
    for i, r in enumerate(resps):
        assert r.recv() == b"who?"
        r.send(b"me%d" % i)
    assert sorted(surveyor.recv() for _ in resps) == [b"me0", b"me1", b"me2"]


def test_deadline_gives_etimedout_once_then_efsm(survey):
    surveyor, resps = survey(1, deadline=100)
    surveyor.send(b"anyone?")
    assert resps[0].recv() == b"anyone?"
    t0 = time.monotonic()
    assert errno_of(surveyor.recv) == nnpy.ETIMEDOUT
    assert time.monotonic() - t0 < 2
    assert errno_of(surveyor.recv) == nnpy.EFSM


def test_deadline_passed_before_recv(survey):
    surveyor, resps = survey(1, deadline=50)
    surveyor.send(b"q")
    resps[0].recv()
    resps[0].send(b"too late")
    time.sleep(0.3)
    # unread answers die with the survey
    assert errno_of(surveyor.recv) == nnpy.ETIMEDOUT
    assert errno_of(surveyor.recv) == nnpy.EFSM


def test_recv_before_any_survey_is_efsm(survey):
    surveyor, _ = survey(1)
    assert errno_of(surveyor.recv) == nnpy.EFSM


def test_new_survey_drops_old_answers(survey):
    surveyor, (r,) = survey(1)
    surveyor.send(b"one")
    assert r.recv() == b"one"
    surveyor.send(b"two")
    r.send(b"answer to one")      # stale: dropped by the surveyor
    assert r.recv() == b"two"
    r.send(b"answer to two")
    assert surveyor.recv() == b"answer to two"


def test_respondent_send_without_survey_is_efsm(survey):
    surveyor, (r,) = survey(1)
    assert errno_of(r.send, b"x") == nnpy.EFSM
    surveyor.send(b"q")
    r.recv()
    r.send(b"a")
    assert errno_of(r.send, b"a again") == nnpy.EFSM


def test_survey_without_respondents_succeeds(sock):
    s = sock(nnpy.SURVEYOR)
    s.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 50)
    assert s.send(b"hello?") == 6
    assert errno_of(s.recv) == nnpy.ETIMEDOUT


def test_rcvtimeo_shorter_than_deadline_keeps_survey(survey):
    surveyor, (r,) = survey(1, deadline=2000)
    surveyor.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 50)
    surveyor.send(b"q")
    assert errno_of(surveyor.recv) == nnpy.ETIMEDOUT
    r.recv()
    r.send(b"still counts")
    surveyor.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 5000)
    assert surveyor.recv() == b"still counts"
