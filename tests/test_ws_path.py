"""ws:// bind addresses with a path: the endpoint serves that path alone
(a query is not part of it, nor one trailing '/'; the empty request target
means "/"), other paths get 404 and no connection. Endpoints with distinct
paths share a port. libnanomsg refuses a path at bind (EINVAL) and any
second bind on a port (EADDRINUSE)."""
import socket
import time

import pytest

import nnpy

from util import SHORT_MS, errno_of

pytestmark = pytest.mark.timeout(30)

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(port: int, target: str) -> str:
    """The status line a PAIR server gives a raw request for ``target``;
    a refusal must also close the connection."""
    req = ("GET %s HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n" % (target, KEY))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall(req.encode())
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = c.recv(4096)
            assert chunk, "closed without a reply: %r" % got
            got += chunk
        status = got.split(b"\r\n")[0].decode()
        if " 101 " not in status:
            c.settimeout(2)
            assert got.endswith(b"\r\n\r\n") and c.recv(1) == b"", "not closed"
        return status


def pair(sock, where_bind, where_connect):
    a, b = sock(nnpy.PAIR), sock(nnpy.PAIR)
    a.bind(where_bind)
    b.connect(where_connect)
    return a, b


def talks(a, b) -> bool:
    b.send(b"hello")
    assert a.recv() == b"hello"
    a.send(b"back")
    return b.recv() == b"back"


def test_bound_path_connects(sock):
    port = free_port()
    a, b = pair(sock, "ws://127.0.0.1:%d/a/b" % port, "ws://127.0.0.1:%d/a/b" % port)
    assert talks(a, b)


def test_query_is_not_part_of_the_path(sock):
    port = free_port()
    a, b = pair(sock, "ws://127.0.0.1:%d/a" % port, "ws://127.0.0.1:%d/a?x=1&y" % port)
    assert talks(a, b)


def test_other_path_gets_404_and_no_connection(sock):
    port = free_port()
    a = sock(nnpy.PAIR)
    a.bind("ws://127.0.0.1:%d/a" % port)
    for target in ("/b", "/", "", "/a//", "/ab", "/A", "/a/b"):
        assert status_of(port, target) == "HTTP/1.1 404 Not Found", target
    # One trailing slash is no part of the name, as in nng.
    for target in ("/a", "/a?q", "/a/", "/a/?q"):
        assert status_of(port, target) == "HTTP/1.1 101 Switching Protocols", target
    # Our own client on a wrong path: refused, retried, never delivered.
    b = sock(nnpy.PAIR, timeout=SHORT_MS)
    b.connect("ws://127.0.0.1:%d/b" % port)
    assert errno_of(b.send, b"x") == nnpy.ETIMEDOUT
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, SHORT_MS)
    assert errno_of(a.recv) == nnpy.ETIMEDOUT


def test_root_path_and_empty_target(sock):
    """`ws://h:p/` serves "/", which a client without a path asks for,
    and the empty target nng sends means "/" too."""
    port = free_port()
    a, b = pair(sock, "ws://127.0.0.1:%d/" % port, "ws://127.0.0.1:%d" % port)
    assert talks(a, b)
    b.close()
    assert status_of(port, "") == "HTTP/1.1 101 Switching Protocols"
    assert status_of(port, "/x") == "HTTP/1.1 404 Not Found"


def test_no_path_serves_every_path(sock):
    port = free_port()
    a = sock(nnpy.PAIR)
    a.bind("ws://127.0.0.1:%d" % port)
    for target in ("/", "", "/x", "/x?y", "http://h/z"):
        assert status_of(port, target) == "HTTP/1.1 101 Switching Protocols", target


def test_paths_share_a_port(sock):
    """Distinct paths on one port, from one socket or several, of any
    types: each client reaches the endpoint of its path (libnanomsg
    cannot bind a path; nng shares the port the same way)."""
    port = free_port()
    base = "ws://127.0.0.1:%d" % port
    a, rep = sock(nnpy.PULL), sock(nnpy.REP)
    host = a.bind(base + "/a")
    a.bind(base + "/b")
    rep.bind(base + "/rep")
    for path, who in (("/a", "A"), ("/b", "B")):
        p = sock(nnpy.PUSH)
        p.connect(base + path)
        p.send(who.encode())
        assert a.recv() == who.encode()
    req = sock(nnpy.REQ)
    req.connect(base + "/rep?x=1")
    req.send(b"q")
    assert rep.recv() == b"q"
    rep.send(b"r")
    assert req.recv() == b"r"
    assert status_of(port, "/none") == "HTTP/1.1 404 Not Found"
    # The first endpoint (whose listener it was) goes; the others stay.
    a.shutdown(host)
    assert status_of(port, "/a") == "HTTP/1.1 404 Not Found"
    p = sock(nnpy.PUSH)
    p.connect(base + "/b/")
    p.send(b"after")
    assert a.recv() == b"after"
    req2 = sock(nnpy.REQ)
    req2.connect(base + "/rep")
    req2.send(b"q2")
    assert rep.recv() == b"q2"
    # Each connection is counted by the socket that took it.
    assert rep.get_statistic(nnpy.STAT_ACCEPTED_CONNECTIONS) == 2


def test_same_path_or_no_path_is_in_use(sock):
    """A path already served on the port, and a bind without a path (which
    serves every path) next to one with a path: EADDRINUSE, as libnanomsg
    gives for any second bind on a port."""
    port = free_port()
    base = "ws://127.0.0.1:%d" % port
    a, other = sock(nnpy.PAIR), sock(nnpy.PAIR)
    a.bind(base + "/a")
    a.bind(base + "/b")
    for addr in (base + "/a", base + "/a/", base + "/b", base):
        assert errno_of(other.bind, addr) == nnpy.EADDRINUSE, addr
    port2 = free_port()
    other.bind("ws://127.0.0.1:%d" % port2)
    assert errno_of(a.bind, "ws://127.0.0.1:%d/x" % port2) == nnpy.EADDRINUSE


def test_port_free_again_after_every_path_goes(sock):
    port = free_port()
    base = "ws://127.0.0.1:%d" % port
    a, other = sock(nnpy.PAIR), sock(nnpy.PAIR)
    e1, e2 = a.bind(base + "/a"), a.bind(base + "/b")
    a.shutdown(e2)
    a.shutdown(e1)
    end = time.monotonic() + 5
    while True:
        try:
            other.bind(base)
            break
        except nnpy.NNError as e:
            assert e.error_no == nnpy.EADDRINUSE and time.monotonic() < end
            time.sleep(0.05)


@pytest.mark.parametrize("path", ["/p?x=1", "?x=1", "/p#f", "/a b", "//x", "/\x7f"])
def test_bad_bind_paths(sock, path):
    s = sock(nnpy.PAIR)
    assert errno_of(s.bind, "ws://127.0.0.1:%d%s" % (free_port(), path)) == nnpy.EINVAL
