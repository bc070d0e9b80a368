"""The symbol table (nn_symbol / nn_symbol_info) and the nnpy constants."""
import errno

import pytest

import nnpy
from util import c_errno, ffi, lib

# API.md §5: index order, name, value, namespace, type, unit.
NS = dict(NAMESPACE=0, VERSION=1, DOMAIN=2, TRANSPORT=3, PROTOCOL=4, OPTION_LEVEL=5,
          SOCKET_OPTION=6, TRANSPORT_OPTION=7, OPTION_TYPE=8, OPTION_UNIT=9, FLAG=10,
          ERROR=11, LIMIT=12, EVENT=13, STATISTIC=14)
E = errno
TABLE = [
    ("NN_NS_NAMESPACE", 0, 0, 0, 0), ("NN_NS_VERSION", 1, 0, 0, 0),
    ("NN_NS_DOMAIN", 2, 0, 0, 0), ("NN_NS_TRANSPORT", 3, 0, 0, 0),
    ("NN_NS_PROTOCOL", 4, 0, 0, 0), ("NN_NS_OPTION_LEVEL", 5, 0, 0, 0),
    ("NN_NS_SOCKET_OPTION", 6, 0, 0, 0), ("NN_NS_TRANSPORT_OPTION", 7, 0, 0, 0),
    ("NN_NS_OPTION_TYPE", 8, 0, 0, 0), ("NN_NS_OPTION_UNIT", 9, 0, 0, 0),
    ("NN_NS_FLAG", 10, 0, 0, 0), ("NN_NS_ERROR", 11, 0, 0, 0),
    ("NN_NS_LIMIT", 12, 0, 0, 0), ("NN_NS_EVENT", 13, 0, 0, 0),
    ("NN_NS_STATISTIC", 14, 0, 0, 0),
    ("NN_TYPE_NONE", 0, 8, 0, 0), ("NN_TYPE_INT", 1, 8, 0, 0), ("NN_TYPE_STR", 2, 8, 0, 0),
    ("NN_UNIT_NONE", 0, 9, 0, 0), ("NN_UNIT_BYTES", 1, 9, 0, 0),
    ("NN_UNIT_MILLISECONDS", 2, 9, 0, 0), ("NN_UNIT_PRIORITY", 3, 9, 0, 0),
    ("NN_UNIT_BOOLEAN", 4, 9, 0, 0), ("NN_UNIT_COUNTER", 6, 9, 0, 0),
    ("NN_UNIT_MESSAGES", 5, 9, 0, 0),
    ("NN_VERSION_CURRENT", 5, 1, 0, 0), ("NN_VERSION_REVISION", 1, 1, 0, 0),
    ("NN_VERSION_AGE", 0, 1, 0, 0),
    ("AF_SP", 1, 2, 0, 0), ("AF_SP_RAW", 2, 2, 0, 0),
    ("NN_INPROC", -1, 3, 0, 0), ("NN_IPC", -2, 3, 0, 0), ("NN_TCP", -3, 3, 0, 0),
    ("NN_WS", -4, 3, 0, 0),
    ("NN_PAIR", 16, 4, 0, 0), ("NN_PUB", 32, 4, 0, 0), ("NN_SUB", 33, 4, 0, 0),
    ("NN_REP", 49, 4, 0, 0), ("NN_REQ", 48, 4, 0, 0), ("NN_PUSH", 80, 4, 0, 0),
    ("NN_PULL", 81, 4, 0, 0), ("NN_SURVEYOR", 98, 4, 0, 0), ("NN_RESPONDENT", 99, 4, 0, 0),
    ("NN_BUS", 112, 4, 0, 0),
    ("NN_SOCKADDR_MAX", 128, 12, 0, 0), ("NN_SOL_SOCKET", 0, 5, 0, 0),
    ("NN_LINGER", 1, 6, 1, 2), ("NN_SNDBUF", 2, 6, 1, 1), ("NN_RCVBUF", 3, 6, 1, 1),
    ("NN_RCVMAXSIZE", 16, 6, 1, 1), ("NN_SNDTIMEO", 4, 6, 1, 2), ("NN_RCVTIMEO", 5, 6, 1, 2),
    ("NN_RECONNECT_IVL", 6, 6, 1, 2), ("NN_RECONNECT_IVL_MAX", 7, 6, 1, 2),
    ("NN_SNDPRIO", 8, 6, 1, 3), ("NN_RCVPRIO", 9, 6, 1, 3), ("NN_SNDFD", 10, 6, 1, 0),
    ("NN_RCVFD", 11, 6, 1, 0), ("NN_DOMAIN", 12, 6, 1, 0), ("NN_PROTOCOL", 13, 6, 1, 0),
    ("NN_IPV4ONLY", 14, 6, 1, 4), ("NN_SOCKET_NAME", 15, 6, 2, 0), ("NN_MAXTTL", 17, 6, 1, 0),
    ("NN_SUB_SUBSCRIBE", 1, 7, 2, 0), ("NN_SUB_UNSUBSCRIBE", 2, 7, 2, 0),
    ("NN_REQ_RESEND_IVL", 1, 7, 1, 2), ("NN_SURVEYOR_DEADLINE", 1, 7, 1, 2),
    ("NN_TCP_NODELAY", 1, 7, 1, 4), ("NN_WS_MSG_TYPE", 1, 7, 1, 0),
    ("NN_DONTWAIT", 1, 10, 0, 0), ("NN_WS_MSG_TYPE_TEXT", 1, 10, 0, 0),
    ("NN_WS_MSG_TYPE_BINARY", 2, 10, 0, 0),
    ("NN_POLLIN", 1, 13, 0, 0), ("NN_POLLOUT", 2, 13, 0, 0),
] + [(name, value, 11, 0, 0) for name, value in [
    ("EADDRINUSE", E.EADDRINUSE), ("EADDRNOTAVAIL", E.EADDRNOTAVAIL),
    ("EAFNOSUPPORT", E.EAFNOSUPPORT), ("EAGAIN", E.EAGAIN), ("EBADF", E.EBADF),
    ("ECONNREFUSED", E.ECONNREFUSED), ("EFAULT", E.EFAULT), ("EFSM", 156384766),
    ("EINPROGRESS", E.EINPROGRESS), ("EINTR", E.EINTR), ("EINVAL", E.EINVAL),
    ("EMFILE", E.EMFILE), ("ENAMETOOLONG", E.ENAMETOOLONG), ("ENETDOWN", E.ENETDOWN),
    ("ENOBUFS", E.ENOBUFS), ("ENODEV", E.ENODEV), ("ENOMEM", E.ENOMEM),
    ("ENOPROTOOPT", E.ENOPROTOOPT), ("ENOTSOCK", E.ENOTSOCK), ("ENOTSUP", E.ENOTSUP),
    ("EPROTO", E.EPROTO), ("EPROTONOSUPPORT", E.EPROTONOSUPPORT), ("ETERM", 156384765),
    ("ETIMEDOUT", E.ETIMEDOUT), ("EACCES", E.EACCES), ("ECONNABORTED", E.ECONNABORTED),
    ("ECONNRESET", E.ECONNRESET), ("EHOSTUNREACH", E.EHOSTUNREACH),
    ("EMSGSIZE", E.EMSGSIZE), ("ENETRESET", E.ENETRESET), ("ENETUNREACH", E.ENETUNREACH),
    ("ENOTCONN", E.ENOTCONN)]] + [
    ("NN_STAT_ESTABLISHED_CONNECTIONS", 101, 14, 1, 6),
    ("NN_STAT_ACCEPTED_CONNECTIONS", 102, 14, 1, 6),
    ("NN_STAT_DROPPED_CONNECTIONS", 103, 14, 1, 6),
    ("NN_STAT_BROKEN_CONNECTIONS", 104, 14, 1, 6),
    ("NN_STAT_CONNECT_ERRORS", 105, 14, 1, 6),
    ("NN_STAT_BIND_ERRORS", 106, 14, 1, 6),
    ("NN_STAT_ACCEPT_ERRORS", 107, 14, 1, 6),
    ("NN_STAT_MESSAGES_SENT", 301, 14, 1, 5),
    ("NN_STAT_MESSAGES_RECEIVED", 302, 14, 1, 5),
    ("NN_STAT_BYTES_SENT", 303, 14, 1, 1),
    ("NN_STAT_BYTES_RECEIVED", 304, 14, 1, 1),
    ("NN_STAT_CURRENT_CONNECTIONS", 201, 14, 1, 0),
    ("NN_STAT_INPROGRESS_CONNECTIONS", 202, 14, 1, 0),
    ("NN_STAT_CURRENT_SND_PRIORITY", 401, 14, 1, 3),
    ("NN_STAT_CURRENT_EP_ERRORS", 203, 14, 1, 0),
]


def test_spec_table_is_complete():
    assert len(TABLE) == 121
    assert len({row[0] for row in TABLE}) == 121


def _info(i, buflen=None):
    props = ffi.new("struct nn_symbol_properties *")
    size = ffi.sizeof(props[0]) if buflen is None else buflen
    rc = lib.nn_symbol_info(i, props, size)
    return rc, props


@pytest.mark.parametrize("i", range(121))
def test_symbol_info_entry(i):
    name, value, ns, type_, unit = TABLE[i]
    rc, p = _info(i)
    assert rc == ffi.sizeof("struct nn_symbol_properties") == 32
    assert (ffi.string(p.name).decode(), p.value, p.ns, p.type, p.unit) == (name, value, ns, type_, unit)


@pytest.mark.parametrize("i", range(121))
def test_nn_symbol_entry(i):
    value = ffi.new("int *")
    name = lib.nn_symbol(i, value)
    assert name != ffi.NULL
    assert (ffi.string(name).decode(), value[0]) == TABLE[i][:2]
    assert ffi.string(lib.nn_symbol(i, ffi.NULL)).decode() == TABLE[i][0]


@pytest.mark.parametrize("i", [-1, 121, 1000, -(2 ** 31)])
def test_out_of_range(i):
    assert c_errno(lib.nn_symbol(i, ffi.NULL), ffi.NULL) == errno.EINVAL
    assert _info(i)[0] == 0


def test_symbol_info_short_buffer():
    rc, p = _info(34, buflen=4)   # NN_PAIR: only the value fits
    assert rc == 4
    assert p.value == 16


def test_constants_have_no_prefix_and_match():
    for name, value, *_ in TABLE:
        py = name[3:] if name.startswith("NN_") else name
        assert getattr(nnpy, py) == value, py
        assert getattr(nnpy.constants, py) == value, py
    assert not [n for n in dir(nnpy) if n.startswith("NN_") and n != "NN_MSG"]


def test_constants_module_view():
    c = nnpy.constants
    assert len(c.symbols) == 121
    assert [s.name for s in c.symbols] == [row[0] for row in TABLE]
    assert sorted(c.__all__) == sorted(c.values)
    assert len(c.values) == 121
    # every constant is annotated for type checkers
    assert set(c.__all__) <= set(c.__annotations__)


def test_option_types_from_table():
    c = nnpy.constants
    assert c.option_type(nnpy.SOL_SOCKET, nnpy.SOCKET_NAME) == nnpy.TYPE_STR
    assert c.option_type(nnpy.SOL_SOCKET, nnpy.RCVTIMEO) == nnpy.TYPE_INT
    assert c.option_type(nnpy.SUB, nnpy.SUB_SUBSCRIBE) == nnpy.TYPE_STR
    assert c.option_type(nnpy.REQ, nnpy.REQ_RESEND_IVL) == nnpy.TYPE_INT
    assert c.option_type(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE) == nnpy.TYPE_INT
    assert c.option_type(nnpy.TCP, nnpy.TCP_NODELAY) == nnpy.TYPE_INT
    assert c.option_type(nnpy.WS, nnpy.WS_MSG_TYPE) == nnpy.TYPE_INT
    assert c.option_type(12345, 1) == nnpy.TYPE_INT


def test_strerror():
    s = lambda e: ffi.string(lib.nn_strerror(e)).decode()  # noqa: E731
    assert s(nnpy.ETERM) == "Nanomsg library was terminated"
    assert s(nnpy.EFSM) == "Operation cannot be performed in this state"
    import os
    assert s(errno.EINVAL) == os.strerror(errno.EINVAL)
    assert s(156384713) == os.strerror(156384713)
