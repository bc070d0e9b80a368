"""BUS: every direct peer gets the message; never back to the sender."""
import nnpy
from util import SHORT_MS


def _all(s):
    got = []
    while True:
        try:
            got.append(s.recv())
        except nnpy.TimedOutError:
            return got


def test_star_no_echo_no_relay(sock, addr):
    where = addr()
    hub = sock(nnpy.BUS, timeout=SHORT_MS)
    hub.bind(where)
    a, b = sock(nnpy.BUS, timeout=SHORT_MS), sock(nnpy.BUS, timeout=SHORT_MS)
    a.connect(where)
    b.connect(where)
    hub.send(b"from hub")
    assert _all(a) == [b"from hub"]
    assert _all(b) == [b"from hub"]
    assert _all(hub) == []                 # not echoed
    a.send(b"from a")
    assert _all(hub) == [b"from a"]
    assert _all(b) == []                   # not relayed by the hub
    assert _all(a) == []


def test_full_mesh(sock, addr):
    names = [addr() for _ in range(3)]
    nodes = [sock(nnpy.BUS, timeout=SHORT_MS) for _ in range(3)]
    for node, name in zip(nodes, names):
        node.bind(name)
    for i, node in enumerate(nodes):
        for j in range(i + 1, 3):
            node.connect(names[j])
    for i, node in enumerate(nodes):
        node.send(b"n%d" % i)
    for i, node in enumerate(nodes):
        assert sorted(_all(node)) == sorted(b"n%d" % j for j in range(3) if j != i)


def test_send_without_peers_succeeds(sock):
    assert sock(nnpy.BUS).send(b"void") == 4
