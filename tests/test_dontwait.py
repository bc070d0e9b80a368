"""DONTWAIT send and recv on a fresh, unconnected socket of each type
(spec PROTOCOLS.md §1 blocking summary, §9 raw sockets)."""
import pytest

import nnpy
from util import TYPES

OK = None
COOKED = {
    # type:       (send,           recv)
    "PAIR": ("EAGAIN", "EAGAIN"),
    "PUB": (OK, "ENOTSUP"),
    "SUB": ("ENOTSUP", "EAGAIN"),
    "REQ": (OK, "EFSM"),
    "REP": ("EFSM", "EAGAIN"),
    "PUSH": ("EAGAIN", "ENOTSUP"),
    "PULL": ("ENOTSUP", "EAGAIN"),
    "SURVEYOR": (OK, "EFSM"),
    "RESPONDENT": ("EFSM", "EAGAIN"),
    "BUS": (OK, "EAGAIN"),
}
RAW = {
    "PAIR": ("EAGAIN", "EAGAIN"),
    "PUB": (OK, "ENOTSUP"),
    "SUB": ("ENOTSUP", "EAGAIN"),
    "REQ": ("EAGAIN", "EAGAIN"),
    "REP": (OK, "EAGAIN"),          # no header: dropped, but the send succeeds
    "PUSH": ("EAGAIN", "ENOTSUP"),
    "PULL": ("ENOTSUP", "EAGAIN"),
    "SURVEYOR": (OK, "EAGAIN"),
    "RESPONDENT": (OK, "EAGAIN"),
    "BUS": (OK, "EAGAIN"),
}
CASES = [(nnpy.AF_SP, n, *COOKED[n]) for n in sorted(TYPES)] + \
        [(nnpy.AF_SP_RAW, n, *RAW[n]) for n in sorted(TYPES)]
IDS = [("raw-" if d == nnpy.AF_SP_RAW else "") + n for d, n, *_ in CASES]


def _outcome(call, *args):
    try:
        call(*args)
    except nnpy.NNError as e:
        return next(name for name in ("EAGAIN", "ENOTSUP", "EFSM", "ETIMEDOUT", "EBADF",
                                      "EINVAL") if getattr(nnpy, name) == e.error_no)
    return OK


@pytest.mark.parametrize("domain, name, send, recv", CASES, ids=IDS)
def test_fresh_socket(domain, name, send, recv):
    # recv first: a successful send changes REQ/SURVEYOR state
    with nnpy.Socket(domain, TYPES[name]) as s:
        assert _outcome(s.recv, nnpy.DONTWAIT) == recv
    with nnpy.Socket(domain, TYPES[name]) as s:
        assert _outcome(s.send, b"probe", nnpy.DONTWAIT) == send


@pytest.mark.parametrize("name", ["REQ", "SURVEYOR"])
def test_after_request_recv_would_block(name):
    with nnpy.Socket(nnpy.AF_SP, TYPES[name]) as s:
        s.send(b"request")
        assert _outcome(s.recv, nnpy.DONTWAIT) == "EAGAIN"
