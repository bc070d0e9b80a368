"""nn_device: forwarding between raw sockets, and the loopback device."""
import pytest

import nnpy
from util import SHORT_MS, c_errno, device_thread, errno_of, lib

RAW = nnpy.AF_SP_RAW


def _stop(thread, result, *socks):
    for s in socks:
        s.close()
    thread.join(5)
    assert not thread.is_alive(), "nn_device did not return after its sockets closed"
    assert result["value"] == (-1, nnpy.EBADF)


def test_reqrep_through_device(sock, addr):
    front, back = addr("front"), addr("back")
    dev_rep, dev_req = sock(nnpy.REP, RAW), sock(nnpy.REQ, RAW)
    dev_rep.bind(front)
    dev_req.bind(back)
    t, result = device_thread(dev_rep, dev_req)
    server = sock(nnpy.REP)
    server.connect(back)
    clients = [sock(nnpy.REQ) for _ in range(3)]
    for c in clients:
        c.connect(front)
    for round_ in range(3):
        for i, c in enumerate(clients):
            c.send(b"%d.%d" % (round_, i))
        for _ in clients:
            server.send(b"re " + server.recv())
        for i, c in enumerate(clients):
            assert c.recv() == b"re %d.%d" % (round_, i)
    _stop(t, result, dev_rep, dev_req)


def test_maxttl_bounds_device_chains(sock, addr):
    front, back = addr("front"), addr("back")
    dev_rep, dev_req = sock(nnpy.REP, RAW), sock(nnpy.REQ, RAW)
    dev_rep.bind(front)
    dev_req.bind(back)
    t, result = device_thread(dev_rep, dev_req)
    server = sock(nnpy.REP, timeout=SHORT_MS)
    server.setsockopt(nnpy.SOL_SOCKET, nnpy.MAXTTL, 1)   # one hop only: too few
    server.connect(back)
    client = sock(nnpy.REQ)
    client.connect(front)
    client.send(b"two hops")
    assert errno_of(server.recv) == nnpy.ETIMEDOUT
    server.setsockopt(nnpy.SOL_SOCKET, nnpy.MAXTTL, 2)
    client.send(b"again")
    assert server.recv() == b"again"
    _stop(t, result, dev_rep, dev_req)


def test_pipeline_device_one_way(sock, addr):
    inbound, outbound = addr(), addr()
    dev_pull, dev_push = sock(nnpy.PULL, RAW), sock(nnpy.PUSH, RAW)
    dev_pull.bind(inbound)
    dev_push.bind(outbound)
    t, result = device_thread(dev_push, dev_pull)    # argument order does not matter
    producer, consumer = sock(nnpy.PUSH), sock(nnpy.PULL)
    producer.connect(inbound)
    consumer.connect(outbound)
    for i in range(20):
        producer.send(b"%d" % i)
    assert [consumer.recv() for _ in range(20)] == [b"%d" % i for i in range(20)]
    _stop(t, result, dev_pull, dev_push)


def test_loopback_bus_hub(sock, addr):
    where = addr()
    hub = sock(nnpy.BUS, RAW)
    hub.bind(where)
    t, result = device_thread(hub, -1)
    nodes = [sock(nnpy.BUS, timeout=SHORT_MS) for _ in range(3)]
    for n in nodes:
        n.connect(where)
    nodes[0].send(b"hello bus")
    assert nodes[1].recv() == b"hello bus"
    assert nodes[2].recv() == b"hello bus"
    assert errno_of(nodes[0].recv) == nnpy.ETIMEDOUT     # not back to the sender
    _stop(t, result, hub)


def test_loopback_raw_rep_echo(sock, addr):
    where = addr()
    echo = sock(nnpy.REP, RAW)
    echo.bind(where)
    t, result = device_thread(-1, echo)
    client = sock(nnpy.REQ)
    client.connect(where)
    for i in range(5):
        client.send(b"ping %d" % i)
        assert client.recv() == b"ping %d" % i
    _stop(t, result, echo)


def test_device_errors(sock):
    assert c_errno(lib.nn_device(-1, -1)) == nnpy.EBADF
    cooked = sock(nnpy.PAIR)
    raw_pair = sock(nnpy.PAIR, RAW)
    assert c_errno(lib.nn_device(cooked.sock, raw_pair.sock)) == nnpy.EINVAL
    assert c_errno(lib.nn_device(cooked.sock, -1)) == nnpy.EINVAL       # loopback needs raw
    raw_pub = sock(nnpy.PUB, RAW)
    assert c_errno(lib.nn_device(raw_pair.sock, raw_pub.sock)) == nnpy.EINVAL   # families
    push1, push2 = sock(nnpy.PUSH, RAW), sock(nnpy.PUSH, RAW)
    assert c_errno(lib.nn_device(push1.sock, push2.sock)) == nnpy.EINVAL       # directions
    assert c_errno(lib.nn_device(123456, -1)) == nnpy.EBADF


@pytest.mark.parametrize("pub_first", [True, False])
def test_pubsub_device_needs_subscription(sock, addr, pub_first):
    upstream, downstream = addr(), addr()
    dev_sub, dev_pub = sock(nnpy.SUB, RAW), sock(nnpy.PUB, RAW)
    dev_sub.bind(upstream)
    dev_pub.bind(downstream)
    dev_sub.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, b"")
    t, result = device_thread(*((dev_pub, dev_sub) if pub_first else (dev_sub, dev_pub)))
    pub, sub = sock(nnpy.PUB), sock(nnpy.SUB)
    pub.connect(upstream)
    sub.connect(downstream)
    sub.subscribe(b"")
    pub.send(b"relayed")
    assert sub.recv() == b"relayed"
    _stop(t, result, dev_sub, dev_pub)
