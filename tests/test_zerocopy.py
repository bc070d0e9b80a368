"""Library-allocated messages (nn_allocmsg / NN_MSG) through the raw lib."""
import nnpy
from util import c_errno, ffi, lib


def test_zero_copy_round_trip(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    msg = lib.nn_allocmsg(5, 0)
    assert msg != ffi.NULL
    ffi.memmove(msg, b"hello", 5)
    holder = ffi.new("void **", msg)
    assert lib.nn_send(a.sock, holder, lib.NN_MSG, 0) == 5   # ownership passes
    out = ffi.new("void **")
    assert lib.nn_recv(b.sock, out, lib.NN_MSG, 0) == 5
    assert ffi.unpack(ffi.cast("char *", out[0]), 5) == b"hello"
    assert lib.nn_freemsg(out[0]) == 0


def test_received_chunk_can_be_resent(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"bounce")
    out = ffi.new("void **")
    assert lib.nn_recv(b.sock, out, lib.NN_MSG, 0) == 6
    assert lib.nn_send(b.sock, out, lib.NN_MSG, 0) == 6
    assert a.recv() == b"bounce"


def test_reallocmsg(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    msg = lib.nn_allocmsg(4, 0)
    ffi.memmove(msg, b"abcd", 4)
    same = lib.nn_reallocmsg(msg, 2)
    assert same == msg                                  # shrinking keeps the pointer
    grown = lib.nn_reallocmsg(same, 1 << 20)
    assert grown != ffi.NULL
    assert ffi.unpack(ffi.cast("char *", grown), 2) == b"ab"
    assert lib.nn_send(a.sock, ffi.new("void **", grown), lib.NN_MSG, 0) == 1 << 20
    assert len(b.recv()) == 1 << 20


def test_failed_zero_copy_send_keeps_ownership(sock):
    s = sock(nnpy.PAIR)
    msg = lib.nn_allocmsg(3, 0)
    rc = lib.nn_send(s.sock, ffi.new("void **", msg), lib.NN_MSG, nnpy.DONTWAIT)
    assert c_errno(rc) == nnpy.EAGAIN
    assert lib.nn_freemsg(msg) == 0                     # still ours


def test_allocmsg_zero_size():
    msg = lib.nn_allocmsg(0, 0)
    assert msg != ffi.NULL
    assert lib.nn_freemsg(msg) == 0


def test_sendmsg_zero_copy_iovec(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    msg = lib.nn_allocmsg(3, 0)
    ffi.memmove(msg, b"zc!", 3)
    holder = ffi.new("void **", msg)
    iov = ffi.new("struct nn_iovec *", {"iov_base": holder, "iov_len": lib.NN_MSG})
    hdr = ffi.new("struct nn_msghdr *", {"msg_iov": iov, "msg_iovlen": 1})
    assert lib.nn_sendmsg(a.sock, hdr, 0) == 3
    assert b.recv() == b"zc!"
