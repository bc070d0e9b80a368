"""The reference peer against itself (two processes, both on libnanomsg).

This is the baseline for everything else: if a scenario fails here, the
harness is wrong, not nnpy. It also shows that refpeer.py really loads the
reference library and not ours.
"""
import pytest

from .conftest import TRANSPORTS
from .payloads import PROBE, STANDARD, describe, spec

pytestmark = pytest.mark.timeout(60)

DATA = [spec(p) for p in STANDARD]
SKIP = spec(PROBE)
UNLIMITED = {"RCVMAXSIZE": -1}

# (binder type, binder script, connector type, connector script, who reports)
CASES = {
    "PAIR": ("PAIR", [{"op": "echo", "count": 3}],
             "PAIR", [{"op": "request", "data": DATA}]),
    "REQREP": ("REP", [{"op": "echo", "count": 3}],
               "REQ", [{"op": "request", "data": DATA}]),
    "PUSHPULL": ("PULL", [{"op": "recv", "count": 3}],
                 "PUSH", [{"op": "send", "data": DATA}]),
    "SURVEY": ("RESPONDENT", [{"op": "echo", "count": 3, "skip": SKIP}],
               "SURVEYOR", [{"op": "probe_until_reply"}, {"op": "request", "data": DATA}]),
    "BUS": ("BUS", [{"op": "echo", "count": 3, "skip": SKIP}],
            "BUS", [{"op": "probe_until_reply"}, {"op": "request", "data": DATA}]),
}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
def test_reference_against_itself(case, transport, refpeer, address):
    btype, bscript, ctype, cscript = CASES[case]
    where = address(transport)
    opts = dict(UNLIMITED)
    if ctype == "SURVEYOR":
        opts["SURVEYOR_DEADLINE"] = 5000
    binder = refpeer(btype, bind=[where], opts=UNLIMITED, script=bscript)
    conn = refpeer(ctype, connect=[where], opts=opts, script=cscript)
    want = [describe(p) for p in STANDARD]
    assert binder.messages(3) == want
    if case != "PUSHPULL":
        assert conn.messages(3) == want
    conn.finish()
    binder.finish()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reference_pubsub_against_itself(transport, refpeer, address):
    where = address(transport)
    sub = refpeer("SUB", bind=[where], opts=dict(UNLIMITED, SUB_SUBSCRIBE=""),
                  script=[{"op": "await"}, {"op": "recv", "count": 3, "skip": SKIP}])
    pub = refpeer("PUB", connect=[where],
                  script=[{"op": "probe_until_line"},
                          {"op": "send", "data": DATA, "lockstep": True}])
    sub.expect("synced")
    pub.tell("stop probing")
    pub.expect("synced")
    for p in STANDARD:
        pub.tell("next")
        assert sub.message() == describe(p)
    pub.finish()
    sub.finish()


def test_peer_runs_on_the_reference_only(reflib, refpeer):
    """The peer process maps the reference library and nothing of ours."""
    peer = refpeer("PAIR", script=[{"op": "whoami"}])
    libs = peer.expect("libs")
    assert libs == [reflib], libs
    assert peer.expect("nnpy") == ["False"]
    peer.finish()
