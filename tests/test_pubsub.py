"""PUB/SUB: prefix subscriptions, fan-out, unsubscribe."""
import pytest

import nnpy
from util import SHORT_MS, errno_of


@pytest.fixture
def pubsub(sock, addr):
    def make(*topics, n=1):
        where = addr()
        pub = sock(nnpy.PUB)
        pub.bind(where)
        subs = []
        for _ in range(n):
            s = sock(nnpy.SUB, timeout=SHORT_MS)
            s.connect(where)
            for t in topics:
                s.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, t)
            subs.append(s)
        return (pub, *subs)
    return make


def _received(sub):
    got = []
    while True:
        try:
            got.append(sub.recv())
        except nnpy.TimedOutError:
            return got


def test_prefix_matching(pubsub):
    pub, sub = pubsub(b"ab")
    for m in (b"a", b"ab", b"abc", b"xyz", b"", b"abd"):
        pub.send(m)
    assert _received(sub) == [b"ab", b"abc", b"abd"]


def test_empty_subscription_gets_everything(pubsub):
    pub, sub = pubsub("")
    for m in (b"", b"a", b"\x00\xff"):
        pub.send(m)
    assert _received(sub) == [b"", b"a", b"\x00\xff"]


def test_no_subscription_gets_nothing(pubsub):
    pub, sub = pubsub()
    pub.send(b"anything")
    assert _received(sub) == []


def test_binary_prefixes_and_several_topics(pubsub):
    pub, sub = pubsub(b"\x00\x01", "é")
    for m in (b"\x00\x01x", b"\x00\x02", "é!".encode(), b"e"):
        pub.send(m)
    assert _received(sub) == [b"\x00\x01x", "é!".encode()]


def test_fan_out_to_every_subscriber(pubsub):
    pub, *subs = pubsub("", n=3)
    pub.send(b"to all")
    for s in subs:
        assert s.recv() == b"to all"


def test_publish_without_subscribers_succeeds(sock):
    pub = sock(nnpy.PUB)
    assert pub.send(b"nobody listens") == 14


def test_unsubscribe(pubsub):
    pub, sub = pubsub("a")
    sub.setsockopt(nnpy.SUB, nnpy.SUB_UNSUBSCRIBE, "a")
    pub.send(b"abc")
    assert _received(sub) == []


def test_subscriptions_are_counted(pubsub):
    pub, sub = pubsub("a", "a")
    sub.unsubscribe("a")
    pub.send(b"a1")
    assert _received(sub) == [b"a1"]
    sub.unsubscribe("a")
    pub.send(b"a2")
    assert _received(sub) == []


@pytest.mark.parametrize("topic", ["", "x", "abc", "ab"])
def test_unsubscribe_unknown_topic_is_einval(sock, topic):
    # libnanomsg 1.1.5 crashes or silently succeeds here; nnpy says EINVAL.
    sub = sock(nnpy.SUB)
    assert errno_of(sub.setsockopt, nnpy.SUB, nnpy.SUB_UNSUBSCRIBE, topic) == nnpy.EINVAL
    sub.subscribe("abcd")
    assert errno_of(sub.unsubscribe, topic) == nnpy.EINVAL
    sub.unsubscribe("abcd")


def test_sub_cannot_send_pub_cannot_recv(pubsub):
    pub, sub = pubsub("")
    assert errno_of(sub.send, b"x") == nnpy.ENOTSUP
    assert errno_of(pub.recv) == nnpy.ENOTSUP


def test_subscribe_options_are_write_only(sock):
    sub = sock(nnpy.SUB)
    assert errno_of(sub.getsockopt, nnpy.SUB, nnpy.SUB_SUBSCRIBE) == nnpy.ENOPROTOOPT
