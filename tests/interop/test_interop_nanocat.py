"""nanocat (nanomsg-utils, linked to the real libnanomsg) as the peer.

nanocat runs until killed in most modes, so each test waits for what it
needs (a message on our side, or bytes in nanocat's --raw output) and the
fixture kills it afterwards.
"""
import time

import pytest

import nnpy

from .conftest import TRANSPORTS
from .ourside import set_rcvtimeo

pytestmark = pytest.mark.timeout(30)

REPEAT = "0.1"     # nanocat -i: seconds between sends where it must repeat


@pytest.fixture
def nanocat(nanocat_bin, child):
    def start(*args):
        return child([nanocat_bin, *args], "nanocat " + " ".join(args))
    return start


def until_printed(cat, needle, action, seconds=5.0):
    """Repeat ``action`` (our send on a lossy protocol) until nanocat prints
    ``needle``."""
    end = time.monotonic() + seconds
    while needle not in cat.out:
        assert time.monotonic() < end, "nanocat never printed %r; got %r\n%s" % (
            needle, bytes(cat.out[-200:]), cat.context())
        action()
        time.sleep(0.05)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_rep_our_req(transport, nanocat, ours, address):
    where = address(transport)
    cat = nanocat("--rep", "--bind", where, "--data", "pong", "--raw")
    req = ours(nnpy.REQ)
    # If nanocat had not bound yet, our connect retries; the request waits.
    req.connect(where)
    req.send(b"ping")
    assert req.recv() == b"pong"
    cat.wait_output(b"ping")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_req_our_rep(transport, nanocat, ours, address):
    where = address(transport)
    rep = ours(nnpy.REP)
    rep.bind(where)
    cat = nanocat("--req", "--connect", where, "--data", "ping", "--raw")
    assert rep.recv() == b"ping"
    rep.send(b"pong")
    assert cat.wait_output(b"pong") == b"pong"
    assert cat.proc.wait(timeout=5) == 0, cat.context()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_pub_our_sub(transport, nanocat, ours, address):
    where = address(transport)
    nanocat("--pub", "--bind", where, "--data", "news", "-i", REPEAT)
    sub = ours(nnpy.SUB)
    sub.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, "")
    sub.connect(where)
    assert sub.recv() == b"news"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_sub_our_pub(transport, nanocat, ours, address):
    where = address(transport)
    pub = ours(nnpy.PUB)
    pub.bind(where)
    cat = nanocat("--sub", "--connect", where, "--raw")
    until_printed(cat, b"news", lambda: pub.send(b"news"))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_push_our_pull(transport, nanocat, ours, address):
    where = address(transport)
    pull = ours(nnpy.PULL)
    pull.bind(where)
    nanocat("--push", "--connect", where, "--data", "work", "-i", REPEAT)
    assert pull.recv() == b"work"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_pull_our_push(transport, nanocat, ours, address):
    where = address(transport)
    cat = nanocat("--pull", "--bind", where, "--raw")
    push = ours(nnpy.PUSH)
    push.connect(where)
    push.send(b"work")
    cat.wait_output(b"work")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_pair(transport, nanocat, ours, address):
    where = address(transport)
    cat = nanocat("--pair", "--bind", where, "--data", "hello", "-i", REPEAT, "--raw")
    pair = ours(nnpy.PAIR)
    pair.connect(where)
    assert pair.recv() == b"hello"
    pair.send(b"world")
    cat.wait_output(b"world")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_respondent_our_surveyor(transport, nanocat, ours, address):
    where = address(transport)
    surveyor = ours(nnpy.SURVEYOR)
    surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 200)
    surveyor.bind(where)
    cat = nanocat("--respondent", "--connect", where, "--data", "here", "--raw")
    set_rcvtimeo(surveyor, 1000)
    answers = []

    def survey():
        surveyor.send(b"who?")
        try:
            answers.append(surveyor.recv())
        except nnpy.NNError:   # not connected yet: the survey timed out
            pass
    until_printed(cat, b"who?", survey)
    while not answers:
        survey()
    assert answers[-1] == b"here"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_surveyor_our_respondent(transport, nanocat, ours, address):
    where = address(transport)
    resp = ours(nnpy.RESPONDENT)
    resp.bind(where)
    cat = nanocat("--surveyor", "--connect", where, "--data", "who?", "-i", REPEAT, "--raw")
    assert resp.recv() == b"who?"
    resp.send(b"here")
    cat.wait_output(b"here")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nanocat_bus(transport, nanocat, ours, address):
    where = address(transport)
    cat = nanocat("--bus", "--bind", where, "--data", "ahoy", "-i", REPEAT, "--raw")
    bus = ours(nnpy.BUS)
    bus.connect(where)
    assert bus.recv() == b"ahoy"
    until_printed(cat, b"hi", lambda: bus.send(b"hi"))
