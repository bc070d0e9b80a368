"""Every errno of the C API (spec API.md §4), through nnpy and the raw lib."""
import pytest

import nnpy
from util import SHORT_MS, TYPES, c_errno, errno_of, ffi, lib

RAW = nnpy.AF_SP_RAW


# -- nn_socket ----------------------------------------------------------------

@pytest.mark.parametrize("domain", [0, 3, -1, 1000])
def test_socket_bad_domain(domain):
    assert errno_of(nnpy.Socket, domain, nnpy.PAIR) == nnpy.EAFNOSUPPORT
    assert errno_of(nnpy.Socket, domain, 0) == nnpy.EAFNOSUPPORT  # checked first


@pytest.mark.parametrize("protocol", [0, 1, 17, 34, 64, 96, 113, -16])
def test_socket_bad_protocol(protocol):
    for domain in (nnpy.AF_SP, RAW):
        assert errno_of(nnpy.Socket, domain, protocol) == nnpy.EINVAL


def test_socket_error_is_nnerror_subclass():
    with pytest.raises(ValueError):
        nnpy.Socket(nnpy.AF_SP, 0)


# -- bind / connect ---------------------------------------------------------------

@pytest.mark.parametrize("address", ["", "inproc", "inproc:", "inproc:/x", "inproc:x//",
                                     "tcp", "tcp:/x", "x"])
def test_address_syntax_einval(sock, address):
    s = sock(nnpy.PAIR)
    assert errno_of(s.bind, address) == nnpy.EINVAL
    assert errno_of(s.connect, address) == nnpy.EINVAL


@pytest.mark.parametrize("address", ["foo://x", "INPROC://x", "Tcp://127.0.0.1:5555",
                                     "udp://x", "inprocx://y", "://x"])
def test_address_unknown_scheme(sock, address):
    s = sock(nnpy.PAIR)
    assert errno_of(s.bind, address) == nnpy.EPROTONOSUPPORT
    assert errno_of(s.connect, address) == nnpy.EPROTONOSUPPORT


def test_address_length_limit(sock):
    s = sock(nnpy.PAIR)
    prefix = "inproc://"
    ok = prefix + "x" * (127 - len(prefix))
    assert len(ok) == 127
    assert s.bind(ok) >= 1
    too_long = prefix + "y" * (128 - len(prefix))
    assert errno_of(s.bind, too_long) == nnpy.ENAMETOOLONG
    assert errno_of(s.connect, too_long) == nnpy.ENAMETOOLONG
    assert errno_of(s.connect, too_long + "z" * 1000) == nnpy.ENAMETOOLONG


def test_address_null(sock):
    s = sock(nnpy.PAIR)
    assert c_errno(lib.nn_bind(s.sock, ffi.NULL)) == nnpy.EINVAL
    assert c_errno(lib.nn_connect(s.sock, ffi.NULL)) == nnpy.EINVAL


def test_inproc_addr_in_use(sock, addr):
    where = addr()
    a, b = sock(nnpy.PAIR), sock(nnpy.PUB)
    a.bind(where)
    assert errno_of(b.bind, where) == nnpy.EADDRINUSE
    assert errno_of(a.bind, where) == nnpy.EADDRINUSE
    with pytest.raises(nnpy.AddressInUseError):
        b.bind(where)
    assert b.connect(where) >= 1      # connecting is always fine


def test_endpoint_ids(sock, addr):
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR)
    assert a.bind(addr()) == 1
    assert a.connect(addr()) == 2
    with pytest.raises(nnpy.NNError):
        a.bind("bad")
    assert a.bind(addr()) == 3        # only successes count
    assert b.connect(addr()) == 1     # per socket


def test_shutdown_errors(sock, addr):
    s = sock(nnpy.PAIR)
    assert errno_of(s.shutdown, 0) == nnpy.EINVAL
    assert errno_of(s.shutdown, 42) == nnpy.EINVAL
    eid = s.bind(addr())
    s.shutdown(eid)
    assert errno_of(s.shutdown, eid) == nnpy.EINVAL
    assert c_errno(lib.nn_shutdown(-1, 1)) == nnpy.EBADF


# -- bad handles ----------------------------------------------------------------

@pytest.mark.parametrize("handle", [-1, -100, 10 ** 6, 2 ** 31 - 1])
def test_bad_handle_ebadf(handle):
    val = ffi.new("int *")
    size = ffi.new("size_t *", 4)
    pp = ffi.new("void **")
    assert c_errno(lib.nn_close(handle)) == nnpy.EBADF
    assert c_errno(lib.nn_bind(handle, b"inproc://x")) == nnpy.EBADF
    assert c_errno(lib.nn_connect(handle, b"inproc://x")) == nnpy.EBADF
    assert c_errno(lib.nn_send(handle, b"x", 1, 0)) == nnpy.EBADF
    assert c_errno(lib.nn_recv(handle, pp, lib.NN_MSG, nnpy.DONTWAIT)) == nnpy.EBADF
    assert c_errno(lib.nn_setsockopt(handle, 0, nnpy.LINGER, val, 4)) == nnpy.EBADF
    assert c_errno(lib.nn_getsockopt(handle, 0, nnpy.LINGER, val, size)) == nnpy.EBADF
    assert c_errno(lib.nn_get_statistic(handle, nnpy.STAT_MESSAGES_SENT),
                   2 ** 64 - 1) == nnpy.EBADF


def test_closed_handle_ebadf():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    n = s.sock
    s.close()
    assert c_errno(lib.nn_send(n, b"x", 1, nnpy.DONTWAIT)) == nnpy.EBADF
    assert c_errno(lib.nn_close(n)) == nnpy.EBADF


# -- send / recv ------------------------------------------------------------------

def test_send_recv_errors(sock):
    assert errno_of(sock(nnpy.SUB).send, b"x") == nnpy.ENOTSUP
    assert errno_of(sock(nnpy.PULL).send, b"x") == nnpy.ENOTSUP
    assert errno_of(sock(nnpy.PUB).recv) == nnpy.ENOTSUP
    assert errno_of(sock(nnpy.PUSH).recv) == nnpy.ENOTSUP
    assert errno_of(sock(nnpy.REP).send, b"x") == nnpy.EFSM
    assert errno_of(sock(nnpy.RESPONDENT).send, b"x") == nnpy.EFSM
    assert errno_of(sock(nnpy.REQ).recv) == nnpy.EFSM
    assert errno_of(sock(nnpy.SURVEYOR).recv) == nnpy.EFSM
    assert errno_of(sock(nnpy.PAIR).recv, nnpy.DONTWAIT) == nnpy.EAGAIN
    assert errno_of(sock(nnpy.PAIR).send, b"x", nnpy.DONTWAIT) == nnpy.EAGAIN
    assert errno_of(sock(nnpy.PAIR, timeout=SHORT_MS).recv) == nnpy.ETIMEDOUT
    assert errno_of(sock(nnpy.PAIR, timeout=SHORT_MS).send, b"x") == nnpy.ETIMEDOUT


def test_enotsup_comes_before_state_and_blocking(sock):
    # even with DONTWAIT and nothing to do, a wrong direction says ENOTSUP
    assert errno_of(sock(nnpy.SUB).send, b"x", nnpy.DONTWAIT) == nnpy.ENOTSUP
    assert errno_of(sock(nnpy.PUB).recv, nnpy.DONTWAIT) == nnpy.ENOTSUP


def test_zero_timeout_is_etimedout_not_eagain(sock):
    s = sock(nnpy.PAIR, timeout=0)
    assert errno_of(s.recv) == nnpy.ETIMEDOUT
    assert errno_of(s.send, b"x") == nnpy.ETIMEDOUT


def test_efault(sock, link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    assert c_errno(lib.nn_send(a.sock, ffi.NULL, 5, 0)) == nnpy.EFAULT
    null_holder = ffi.new("void **")                   # *(void**)buf == NULL
    assert c_errno(lib.nn_send(a.sock, null_holder, lib.NN_MSG, 0)) == nnpy.EFAULT
    assert c_errno(lib.nn_send(a.sock, ffi.NULL, lib.NN_MSG, 0)) == nnpy.EFAULT
    assert lib.nn_send(a.sock, ffi.NULL, 0, 0) == 0    # empty message is fine
    assert b.recv() == b""


def test_truncating_recv_returns_full_size(link):
    a, b = link(nnpy.PAIR, nnpy.PAIR)
    a.send(b"0123456789")
    buf = ffi.new("char[]", 4)
    assert lib.nn_recv(b.sock, buf, 4, 0) == 10
    assert ffi.unpack(buf, 4) == b"0123"


def test_sendmsg_recvmsg_argument_errors(sock):
    s = sock(nnpy.PAIR)
    assert c_errno(lib.nn_sendmsg(s.sock, ffi.NULL, 0)) == nnpy.EINVAL
    assert c_errno(lib.nn_recvmsg(s.sock, ffi.NULL, 0)) == nnpy.EINVAL
    hdr = ffi.new("struct nn_msghdr *", {"msg_iovlen": -1})
    assert c_errno(lib.nn_sendmsg(s.sock, hdr, 0)) == nnpy.EMSGSIZE
    assert c_errno(lib.nn_recvmsg(s.sock, hdr, 0)) == nnpy.EMSGSIZE
    iov = ffi.new("struct nn_iovec[]", 2)
    iov[0].iov_len = lib.NN_MSG
    hdr = ffi.new("struct nn_msghdr *", {"msg_iov": iov, "msg_iovlen": 2})
    assert c_errno(lib.nn_sendmsg(s.sock, hdr, 0)) == nnpy.EINVAL       # NN_MSG among several
    iov[0].iov_len = 3                                                  # NULL base, 3 bytes
    assert c_errno(lib.nn_sendmsg(s.sock, hdr, 0)) == nnpy.EFAULT


# -- messages -------------------------------------------------------------------

def test_allocmsg_errors():
    assert c_errno(lib.nn_allocmsg(10, 1), ffi.NULL) == nnpy.EINVAL
    assert c_errno(lib.nn_allocmsg(2 ** 64 - 1, 0), ffi.NULL) == nnpy.ENOMEM


# -- statistics -----------------------------------------------------------------

def test_get_statistic_errors(sock):
    s = sock(nnpy.PAIR)
    assert errno_of(s.get_statistic, 999) == nnpy.EINVAL
    assert errno_of(s.get_statistic, 0) == nnpy.EINVAL
    s.close()
    assert errno_of(s.get_statistic, nnpy.STAT_MESSAGES_SENT) == nnpy.EBADF


# -- poll -------------------------------------------------------------------------

def test_poll_errors(sock):
    fds = ffi.new("struct nn_pollfd[]", 1)
    fds[0].fd = -1
    fds[0].events = nnpy.POLLIN
    assert c_errno(lib.nn_poll(fds, 1, 0)) == nnpy.EBADF
    fds[0].fd = sock(nnpy.PUB).sock
    assert c_errno(lib.nn_poll(fds, 1, 0)) == nnpy.ENOPROTOOPT
    fds[0].fd = sock(nnpy.PULL).sock
    fds[0].events = nnpy.POLLOUT
    assert c_errno(lib.nn_poll(fds, 1, 0)) == nnpy.ENOPROTOOPT


# -- every socket type refuses the same things ----------------------------------

@pytest.mark.parametrize("name", sorted(TYPES))
def test_closed_socket_calls_raise_ebadf(name):
    s = nnpy.Socket(nnpy.AF_SP, TYPES[name])
    s.close()
    for call, args in [(s.send, (b"x",)), (s.recv, ()), (s.bind, ("inproc://z",)),
                       (s.connect, ("inproc://z",)), (s.shutdown, (1,)),
                       (s.setsockopt, (nnpy.SOL_SOCKET, nnpy.LINGER, 0)),
                       (s.getsockopt, (nnpy.SOL_SOCKET, nnpy.LINGER)),
                       (s.get_statistic, (nnpy.STAT_MESSAGES_SENT,))]:
        with pytest.raises(nnpy.BadSocketError) as info:
            call(*args)
        assert info.value.error_no == nnpy.EBADF
