"""Raw (AF_SP_RAW) sockets: SP headers through control data."""
import struct

import pytest

import nnpy
from util import SHORT_MS, errno_of, ffi, lib, recvmsg, sendmsg

RAW = nnpy.AF_SP_RAW


def test_cooked_recvmsg_reports_empty_header(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"x")
    assert recvmsg(b) == (b"x", b"")


def test_raw_rep_header_and_reply(link):
    rep, req = link(nnpy.REP, nnpy.REQ, bdomain=RAW)
    req.send(b"question")
    body, header = recvmsg(rep)
    assert body == b"question"
    assert len(header) == 8                       # pipe id + request id
    pipe_id, req_id = struct.unpack(">II", header)
    assert not pipe_id & 0x80000000
    assert req_id & 0x80000000
    sendmsg(rep, b"answer", header)
    assert req.recv() == b"answer"


def test_raw_rep_answers_in_any_order(sock, addr):
    where = addr()
    rep = sock(nnpy.REP, RAW)
    rep.bind(where)
    clients = [sock(nnpy.REQ) for _ in range(3)]
    for i, c in enumerate(clients):
        c.connect(where)
        c.send(b"%d" % i)
    pending = [recvmsg(rep) for _ in clients]
    for body, header in reversed(pending):
        sendmsg(rep, b"re" + body, header)
    for i, c in enumerate(clients):
        assert c.recv() == b"re%d" % i


def test_raw_rep_drops_bad_headers_silently(link):
    rep, req = link(nnpy.REP, nnpy.REQ, bdomain=RAW)
    req.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, SHORT_MS)
    req.send(b"q")
    body, header = recvmsg(rep)
    assert rep.send(b"no header") == 9            # dropped, still succeeds
    assert sendmsg(rep, b"short", b"\x00\x01") == 5
    assert sendmsg(rep, b"unknown pipe", b"\x7f\xff\xff\xf0" + header[4:]) == 12
    assert errno_of(req.recv) == nnpy.ETIMEDOUT


def test_raw_req_to_cooked_rep(link):
    rep, req = link(nnpy.REP, nnpy.REQ, cdomain=RAW)
    req_id = b"\x80\x00\x00\x07"
    sendmsg(req, b"raw request", req_id)
    assert rep.recv() == b"raw request"
    rep.send(b"reply")
    assert recvmsg(req) == (b"reply", req_id)


def test_raw_sub_still_filters(sock, addr):
    where = addr()
    pub = sock(nnpy.PUB)
    pub.bind(where)
    sub = sock(nnpy.SUB, RAW, timeout=SHORT_MS)
    sub.connect(where)
    pub.send(b"unsubscribed")
    assert errno_of(sub.recv) == nnpy.ETIMEDOUT
    sub.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, b"")
    pub.send(b"everything")
    assert sub.recv() == b"everything"
    assert errno_of(sub.send, b"x") == nnpy.ENOTSUP


def test_raw_bus_origin_token(sock, addr):
    where = addr()
    hub = sock(nnpy.BUS, RAW)
    hub.bind(where)
    a, b = sock(nnpy.BUS, timeout=SHORT_MS), sock(nnpy.BUS, timeout=SHORT_MS)
    a.connect(where)
    b.connect(where)
    a.send(b"from a")
    body, token = recvmsg(hub)
    assert body == b"from a" and len(token) == 8
    sendmsg(hub, b"not to a", token)              # everyone but a
    assert b.recv() == b"not to a"
    assert errno_of(a.recv) == nnpy.ETIMEDOUT
    hub.send(b"to all")                           # no header: everyone
    assert a.recv() == b"to all" and b.recv() == b"to all"
    with pytest.raises(nnpy.NNError) as info:
        sendmsg(hub, b"bad", b"\x00" * 5)
    assert info.value.error_no == nnpy.EINVAL


def test_cooked_bus_refuses_sp_header(sock):
    bus = sock(nnpy.BUS)
    with pytest.raises(nnpy.NNError) as info:
        sendmsg(bus, b"x", b"\x00" * 8)
    assert info.value.error_no == nnpy.EINVAL


@pytest.mark.parametrize("proto", [nnpy.PAIR, nnpy.PUSH, nnpy.PULL, nnpy.PUB])
def test_raw_simple_types_work_like_cooked(link, proto):
    peer = {nnpy.PAIR: nnpy.PAIR, nnpy.PUSH: nnpy.PULL, nnpy.PULL: nnpy.PUSH,
            nnpy.PUB: nnpy.SUB}[proto]
    raw, other = link(proto, peer, bdomain=RAW)
    sender, receiver = (raw, other) if proto in (nnpy.PAIR, nnpy.PUSH, nnpy.PUB) else (other, raw)
    if receiver.getsockopt(nnpy.SOL_SOCKET, nnpy.PROTOCOL) == nnpy.SUB:
        receiver.subscribe(b"")
    sender.send(b"via raw")
    assert receiver.recv() == b"via raw"


def test_raw_surveyor_respondent(link):
    surveyor, resp = link(nnpy.SURVEYOR, nnpy.RESPONDENT, bdomain=RAW, cdomain=RAW)
    survey_id = b"\x80\x00\x01\x00"
    sendmsg(surveyor, b"raw survey", survey_id)
    body, header = recvmsg(resp)
    assert body == b"raw survey"
    assert len(header) == 8 and header[4:] == survey_id
    sendmsg(resp, b"raw answer", header)
    assert recvmsg(surveyor) == (b"raw answer", survey_id)


def test_raw_sockets_have_no_protocol_state_options(sock):
    assert errno_of(sock(nnpy.REQ, RAW).getsockopt, nnpy.REQ, nnpy.REQ_RESEND_IVL) == \
        nnpy.ENOPROTOOPT
    assert errno_of(sock(nnpy.SURVEYOR, RAW).getsockopt, nnpy.SURVEYOR,
                    nnpy.SURVEYOR_DEADLINE) == nnpy.ENOPROTOOPT


def test_recvmsg_small_control_buffer_left_untouched(link):
    rep, req = link(nnpy.REP, nnpy.REQ, bdomain=RAW)
    req.send(b"q")
    body = ffi.new("char[]", 16)
    iov = ffi.new("struct nn_iovec *", {"iov_base": body, "iov_len": 16})
    ctrl = ffi.new("char[]", b"\xaa" * 8)
    hdr = ffi.new("struct nn_msghdr *", {"msg_iov": iov, "msg_iovlen": 1,
                                         "msg_control": ctrl, "msg_controllen": 8})
    assert lib.nn_recvmsg(rep.sock, hdr, 0) == 1
    assert ffi.unpack(ctrl, 8) == b"\xaa" * 8
    assert hdr.msg_controllen == 8


def test_recvmsg_scatter(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"0123456789")
    bufs = [ffi.new("char[]", 4) for _ in range(3)]
    iov = ffi.new("struct nn_iovec[]", [{"iov_base": p, "iov_len": 4} for p in bufs])
    hdr = ffi.new("struct nn_msghdr *", {"msg_iov": iov, "msg_iovlen": 3})
    assert lib.nn_recvmsg(b.sock, hdr, 0) == 10
    assert b"".join(ffi.unpack(p, 4) for p in bufs)[:10] == b"0123456789"


def test_sendmsg_gather(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    parts = [ffi.new("char[]", s) for s in (b"ab", b"", b"cde")]
    iov = ffi.new("struct nn_iovec[]", [{"iov_base": p, "iov_len": len(p) - 1} for p in parts])
    hdr = ffi.new("struct nn_msghdr *", {"msg_iov": iov, "msg_iovlen": 3})
    assert lib.nn_sendmsg(a.sock, hdr, 0) == 5
    assert b.recv() == b"abcde"
