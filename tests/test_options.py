"""Socket options: defaults, validation, string options (spec OPTIONS.md)."""
import pytest

import nnpy
from util import TYPES, c_errno, errno_of, ffi, lib

RAW = nnpy.AF_SP_RAW
SOL = nnpy.SOL_SOCKET
ALL = [(d, n) for d in (nnpy.AF_SP, RAW) for n in sorted(TYPES)]
IDS = ["%s-%s" % ("raw" if d == RAW else "sp", n) for d, n in ALL]

DEFAULTS = {
    nnpy.LINGER: 0, nnpy.SNDBUF: 131072, nnpy.RCVBUF: 131072, nnpy.SNDTIMEO: -1,
    nnpy.RCVTIMEO: -1, nnpy.RECONNECT_IVL: 100, nnpy.RECONNECT_IVL_MAX: 0,
    nnpy.SNDPRIO: 8, nnpy.RCVPRIO: 8, nnpy.IPV4ONLY: 1, nnpy.RCVMAXSIZE: 1048576,
    nnpy.MAXTTL: 8,
}


def _fresh(domain, name):
    return nnpy.Socket(domain, TYPES[name])


@pytest.mark.parametrize("domain, name", ALL, ids=IDS)
def test_generic_defaults(domain, name):
    with _fresh(domain, name) as s:
        for option, value in DEFAULTS.items():
            assert s.getsockopt(SOL, option) == value, option
        assert s.getsockopt(SOL, nnpy.DOMAIN) == domain
        assert s.getsockopt(SOL, nnpy.PROTOCOL) == TYPES[name]
        assert s.getsockopt(SOL, nnpy.SOCKET_NAME) == str(s.sock)
        # transport option sets exist on every socket
        assert s.getsockopt(nnpy.TCP, nnpy.TCP_NODELAY) == 0
        assert s.getsockopt(nnpy.WS, nnpy.WS_MSG_TYPE) == nnpy.WS_MSG_TYPE_BINARY


@pytest.mark.parametrize("domain, name", ALL, ids=IDS)
def test_readiness_fds_exist_per_direction(domain, name):
    with _fresh(domain, name) as s:
        if name in ("SUB", "PULL"):
            assert errno_of(s.getsockopt, SOL, nnpy.SNDFD) == nnpy.ENOPROTOOPT
        else:
            assert s.getsockopt(SOL, nnpy.SNDFD) >= 0
        if name in ("PUB", "PUSH"):
            assert errno_of(s.getsockopt, SOL, nnpy.RCVFD) == nnpy.ENOPROTOOPT
        else:
            assert s.getsockopt(SOL, nnpy.RCVFD) >= 0


def test_protocol_option_defaults(sock):
    assert sock(nnpy.REQ).getsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL) == 60000
    assert sock(nnpy.SURVEYOR).getsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE) == 1000


def test_linger_reads_zero(sock):
    s = sock(nnpy.PAIR)
    s.setsockopt(SOL, nnpy.LINGER, 5000)
    assert s.getsockopt(SOL, nnpy.LINGER) == 0
    s.setsockopt(SOL, nnpy.LINGER, -7)
    assert s.linger == 0


VALID = [
    (nnpy.SNDBUF, [1, 4096, 2 ** 31 - 1], [0, -1]),
    (nnpy.RCVBUF, [1, 65536], [0, -5]),
    (nnpy.SNDTIMEO, [-1, -100, 0, 10, 2 ** 31 - 1], []),
    (nnpy.RCVTIMEO, [-1, 0, 10], []),
    (nnpy.RECONNECT_IVL, [0, 1, 100000], [-1]),
    (nnpy.RECONNECT_IVL_MAX, [0, 5000], [-1]),
    (nnpy.SNDPRIO, [1, 8, 16], [0, 17, -1]),
    (nnpy.RCVPRIO, [1, 16], [0, 17]),
    (nnpy.IPV4ONLY, [0, 1], [2, -1]),
    (nnpy.RCVMAXSIZE, [-1, 0, 1, 2 ** 31 - 1], [-2, -100]),
    (nnpy.MAXTTL, [1, 255], [0, 256, -1]),
]


@pytest.mark.parametrize("option, good, bad", VALID, ids=[str(v[0]) for v in VALID])
def test_generic_validation(sock, option, good, bad):
    s = sock(nnpy.PAIR)
    for v in good:
        s.setsockopt(SOL, option, v)
        assert s.getsockopt(SOL, option) == v
    before = s.getsockopt(SOL, option)
    for v in bad:
        assert errno_of(s.setsockopt, SOL, option, v) == nnpy.EINVAL, v
        assert s.getsockopt(SOL, option) == before


@pytest.mark.parametrize("option", [nnpy.SNDFD, nnpy.RCVFD, nnpy.DOMAIN, nnpy.PROTOCOL])
def test_read_only_options(sock, option):
    assert errno_of(sock(nnpy.PAIR).setsockopt, SOL, option, 1) == nnpy.ENOPROTOOPT


def test_int_options_need_exact_length(sock):
    s = sock(nnpy.PAIR)
    for value in (b"", b"\x01\x00", b"\x01\x00\x00\x00\x00\x00\x00\x00"):
        assert errno_of(s.setsockopt, SOL, nnpy.SNDBUF, value) == nnpy.EINVAL
    assert c_errno(lib.nn_setsockopt(s.sock, SOL, nnpy.SNDBUF, ffi.NULL, 0)) == nnpy.EINVAL
    s.setsockopt(SOL, nnpy.SNDBUF, (4096).to_bytes(4, "little"))
    assert s.sndbuf == 4096


def test_unknown_levels_and_options(sock):
    s = sock(nnpy.PAIR)
    for level, option in [(SOL, 0), (SOL, 18), (SOL, 999), (nnpy.PAIR, 1), (nnpy.SUB, 1),
                          (nnpy.REQ, 1), (1000, 1), (nnpy.INPROC, 1), (-5, 1), (-100, 1),
                          (nnpy.TCP, 2), (nnpy.WS, 2), (nnpy.IPC, 9)]:
        assert errno_of(s.setsockopt, level, option, 1) == nnpy.ENOPROTOOPT, (level, option)
        assert errno_of(s.getsockopt, level, option) == nnpy.ENOPROTOOPT, (level, option)


def test_other_protocol_level(sock):
    # Only the socket's own type is a valid protocol level.
    assert errno_of(sock(nnpy.SUB).setsockopt, nnpy.REQ, nnpy.REQ_RESEND_IVL, 10) == \
        nnpy.ENOPROTOOPT
    assert errno_of(sock(nnpy.REQ).setsockopt, nnpy.SUB, nnpy.SUB_SUBSCRIBE, b"") == \
        nnpy.ENOPROTOOPT


def test_efault(sock):
    s = sock(nnpy.PAIR)
    assert c_errno(lib.nn_setsockopt(s.sock, SOL, nnpy.LINGER, ffi.NULL, 4)) == nnpy.EFAULT
    size = ffi.new("size_t *", 4)
    assert c_errno(lib.nn_getsockopt(s.sock, SOL, nnpy.LINGER, ffi.NULL, size)) == nnpy.EFAULT


def test_short_int_buffer(sock):
    s = sock(nnpy.PAIR)
    s.setsockopt(SOL, nnpy.SNDBUF, 0x01020304)
    buf = ffi.new("unsigned char[4]", b"\xff\xff\xff\xff")
    size = ffi.new("size_t *", 2)
    assert lib.nn_getsockopt(s.sock, SOL, nnpy.SNDBUF, buf, size) == 0
    assert size[0] == 4
    assert bytes(buf[0:4])[2:] == b"\xff\xff"     # only 2 bytes written


def test_socket_name(sock):
    s = sock(nnpy.PAIR)
    s.setsockopt(SOL, nnpy.SOCKET_NAME, "my socket")
    assert s.getsockopt(SOL, nnpy.SOCKET_NAME) == "my socket"
    s.setsockopt(SOL, nnpy.SOCKET_NAME, b"bytes name")
    assert s.name == "bytes name"
    s.name = "é" * 31                              # 62 bytes of UTF-8
    assert s.name == "é" * 31
    s.name = "x" * 63
    assert s.name == "x" * 63
    assert errno_of(s.setsockopt, SOL, nnpy.SOCKET_NAME, "y" * 64) == nnpy.EINVAL
    assert errno_of(s.setsockopt, SOL, nnpy.SOCKET_NAME, "é" * 32) == nnpy.EINVAL
    s.name = ""
    assert s.name == ""


def test_socket_name_short_buffer(sock):
    s = sock(nnpy.PAIR)
    s.name = "abc"
    buf = ffi.new("char[8]")
    size = ffi.new("size_t *", 2)
    assert lib.nn_getsockopt(s.sock, SOL, nnpy.SOCKET_NAME, buf, size) == 0
    assert size[0] == 3
    assert ffi.unpack(buf, 2) == b"ab"


def test_protocol_option_validation(sock):
    req = sock(nnpy.REQ)
    req.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, 0)
    req.setsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL, 250)
    assert req.getsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL) == 250
    assert errno_of(req.setsockopt, nnpy.REQ, nnpy.REQ_RESEND_IVL, -1) == nnpy.EINVAL
    assert errno_of(req.setsockopt, nnpy.REQ, nnpy.REQ_RESEND_IVL, b"\x01\x00") == nnpy.EINVAL
    buf, size = ffi.new("int *"), ffi.new("size_t *", 2)
    assert c_errno(lib.nn_getsockopt(req.sock, nnpy.REQ, nnpy.REQ_RESEND_IVL, buf, size)) == \
        nnpy.EINVAL
    sur = sock(nnpy.SURVEYOR)
    sur.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 5)
    assert sur.getsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE) == 5
    assert errno_of(sur.setsockopt, nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, -5) == nnpy.EINVAL


def test_transport_options(sock):
    s = sock(nnpy.PAIR)
    s.setsockopt(nnpy.TCP, nnpy.TCP_NODELAY, 1)
    assert s.getsockopt(nnpy.TCP, nnpy.TCP_NODELAY) == 1
    assert errno_of(s.setsockopt, nnpy.TCP, nnpy.TCP_NODELAY, 2) == nnpy.EINVAL
    s.setsockopt(nnpy.WS, nnpy.WS_MSG_TYPE, nnpy.WS_MSG_TYPE_TEXT)
    assert s.getsockopt(nnpy.WS, nnpy.WS_MSG_TYPE) == nnpy.WS_MSG_TYPE_TEXT
    for bad in (0, 3, 0x82):
        assert errno_of(s.setsockopt, nnpy.WS, nnpy.WS_MSG_TYPE, bad) == nnpy.EINVAL
    # NN_IPC_OUTBUFSZ / INBUFSZ (2, 3) are not in the symbol table
    assert s.getsockopt(nnpy.IPC, 2) == 4096
    assert s.getsockopt(nnpy.IPC, 3) == 4096


def test_properties(sock):
    s = sock(nnpy.PAIR)
    s.rcvtimeo = 1234
    s.sndtimeo = 4321
    assert (s.rcvtimeo, s.sndtimeo) == (1234, 4321)
    assert s.getsockopt(SOL, nnpy.RCVTIMEO) == 1234
    s.sndprio, s.rcvprio = 3, 4
    assert (s.sndprio, s.rcvprio) == (3, 4)
    assert (s.domain, s.protocol) == (nnpy.AF_SP, nnpy.PAIR)
    assert isinstance(s.rcvfd, int) and isinstance(s.sndfd, int)
    with pytest.raises(AttributeError):
        s.domain = 2


def test_bool_and_str_values(sock):
    s = sock(nnpy.PAIR)
    s.setsockopt(SOL, nnpy.IPV4ONLY, False)
    assert s.ipv4only == 0
    s.ipv4only = True
    assert s.ipv4only == 1
    with pytest.raises(TypeError):
        s.setsockopt(SOL, nnpy.SNDBUF, 1.5)
