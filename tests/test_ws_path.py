"""ws:// bind addresses with a path: the endpoint serves that path alone
(a query is not part of it; the empty request target means "/"), other
paths get 404 and no connection. libnanomsg refuses a path at bind
(EINVAL); a second bind on the same port is EADDRINUSE in both."""
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
    for target in ("/b", "/", "", "/a/", "/ab", "/A"):
        assert status_of(port, target) == "HTTP/1.1 404 Not Found", target
    assert status_of(port, "/a") == "HTTP/1.1 101 Switching Protocols"
    assert status_of(port, "/a?q") == "HTTP/1.1 101 Switching Protocols"
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


def test_second_bind_on_the_port_is_in_use(sock):
    """One listener per port, whatever the paths (as libnanomsg, which has
    no paths): EADDRINUSE on the same socket and on another."""
    port = free_port()
    a, other = sock(nnpy.PAIR), sock(nnpy.PAIR)
    eid = a.bind("ws://127.0.0.1:%d/a" % port)
    assert errno_of(a.bind, "ws://127.0.0.1:%d/b" % port) == nnpy.EADDRINUSE
    assert errno_of(other.bind, "ws://127.0.0.1:%d/b" % port) == nnpy.EADDRINUSE
    assert errno_of(other.bind, "ws://127.0.0.1:%d" % port) == nnpy.EADDRINUSE
    a.shutdown(eid)
    end = time.monotonic() + 5
    while True:
        try:
            other.bind("ws://127.0.0.1:%d/b" % port)
            break
        except nnpy.NNError as e:
            assert e.error_no == nnpy.EADDRINUSE and time.monotonic() < end
            time.sleep(0.05)


@pytest.mark.parametrize("path", ["/p?x=1", "?x=1", "/p#f", "/a b", "//x", "/\x7f"])
def test_bad_bind_paths(sock, path):
    s = sock(nnpy.PAIR)
    assert errno_of(s.bind, "ws://127.0.0.1:%d%s" % (free_port(), path)) == nnpy.EINVAL
