"""Options as constructor keywords and attributes; unknown attributes fail."""
import pytest

import nnpy

SOL = nnpy.SOL_SOCKET


def test_constructor_keywords():
    with nnpy.Socket(nnpy.AF_SP, nnpy.REQ, rcvtimeo=500, reconnect_ivl=50, sndbuf=4096,
                     name="front", req_resend_ivl=2500, tcp_nodelay=1) as s:
        assert s.getsockopt(SOL, nnpy.RCVTIMEO) == 500
        assert s.getsockopt(SOL, nnpy.RECONNECT_IVL) == 50
        assert s.getsockopt(SOL, nnpy.SNDBUF) == 4096
        assert s.getsockopt(SOL, nnpy.SOCKET_NAME) == "front"
        assert s.getsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL) == 2500
        assert s.getsockopt(nnpy.TCP, nnpy.TCP_NODELAY) == 1
        assert (s.rcvtimeo, s.req_resend_ivl, s.name) == (500, 2500, "front")


def test_positional_form_unchanged():
    s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    assert s.rcvtimeo == -1
    s.close()


def test_every_settable_keyword_round_trips():
    values = dict(linger=0, sndbuf=8192, rcvbuf=8192, rcvmaxsize=-1, sndtimeo=10,
                  rcvtimeo=20, reconnect_ivl=30, reconnect_ivl_max=40, sndprio=2,
                  rcvprio=3, ipv4only=0, maxttl=4, name="n", tcp_nodelay=1,
                  ws_msg_type=nnpy.WS_MSG_TYPE_TEXT, ipc_outbufsz=8192, ipc_inbufsz=8192)
    with nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, **values) as s:
        for key, value in values.items():
            assert getattr(s, key) == value, key
    with nnpy.Socket(nnpy.AF_SP, nnpy.SURVEYOR, surveyor_deadline=123) as s:
        assert s.surveyor_deadline == 123


def test_bad_keyword_value_fails_and_closes():
    with pytest.raises(nnpy.InvalidArgumentError) as info:
        nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvbuf=-5)
    assert str(info.value) == "setsockopt(RCVBUF, -5): Invalid argument"
    with pytest.raises(TypeError):
        nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimout=5)          # misspelt keyword
    with pytest.raises(nnpy.NoProtocolOptionError):
        nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, req_resend_ivl=5)     # not a REQ socket


def test_protocol_option_attributes(sock):
    s = sock(nnpy.SURVEYOR)
    s.surveyor_deadline = 777
    assert s.getsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE) == 777
    r = sock(nnpy.REQ)
    r.req_resend_ivl = 1234
    assert r.getsockopt(nnpy.REQ, nnpy.REQ_RESEND_IVL) == 1234
    r.ws_msg_type = nnpy.WS_MSG_TYPE_BINARY
    assert r.ws_msg_type == nnpy.WS_MSG_TYPE_BINARY
    with pytest.raises(nnpy.NoProtocolOptionError):
        s.req_resend_ivl


def test_unknown_attribute_raises(sock):
    s = sock(nnpy.PAIR)
    with pytest.raises(AttributeError):
        s.rcvtimout = 100
    with pytest.raises(AttributeError):
        s.rcvfd = 3
    with pytest.raises(AttributeError):
        s.protocol = nnpy.PUB
    assert s.rcvtimeo != 100


def test_subscribe_stays(link):
    pub, sub = link(nnpy.PUB, nnpy.SUB)
    sub.subscribe("a")
    import time
    time.sleep(0.05)
    pub.send(b"b-no")
    pub.send(b"a-yes")
    assert sub.recv() == b"a-yes"
    sub.unsubscribe("a")
    with pytest.raises(nnpy.InvalidArgumentError):
        sub.unsubscribe("a")


def test_option_descriptors_on_the_class():
    assert "RCVTIMEO" in nnpy.Socket.rcvtimeo.__doc__
    assert nnpy.Socket.tcp_nodelay.name == "tcp_nodelay"
