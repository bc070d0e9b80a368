"""The ws server's opening handshake seen from a raw TCP client: every
malformed request (RFC 6455 §4.2.1) is refused with a status that names
its fault, then the connection closes; a well-formed one, including nng's
empty request target, is upgraded."""
import base64
import socket
import time

import pytest

import nnpy

pytestmark = pytest.mark.timeout(30)

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
IO_TIMEOUT_S = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(target="/", **headers) -> bytes:
    """A request libnanomsg would send to a REP server, with headers
    replaced (value) or dropped (None); extra lines with key ``raw``."""
    fields = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
              "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "13",
              "Sec-WebSocket-Protocol": "rep.sp.nanomsg.org"}
    raw = headers.pop("raw", "")
    for name, value in headers.items():
        fields[name.replace("_", "-")] = value
    lines = ["GET %s HTTP/1.1" % target]
    lines += ["%s: %s" % (k, v) for k, v in fields.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n" + raw + "\r\n").encode()


def exchange(port: int, data: bytes):
    """Send ``data``; return (reply header block, whether the server then
    closed the connection). Every read has a timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S) as c:
        c.sendall(data)
        got = b""
        end = time.monotonic() + IO_TIMEOUT_S
        while b"\r\n\r\n" not in got and time.monotonic() < end:
            chunk = c.recv(4096)
            if not chunk:
                break
            got += chunk
        head, sep, rest = got.partition(b"\r\n\r\n")
        assert sep, "no complete reply within %.1f s: %r" % (IO_TIMEOUT_S, got)
        closed = False
        c.settimeout(2.0)
        try:
            closed = rest == b"" and c.recv(1) == b""
        except socket.timeout:
            closed = False
        except ConnectionResetError:
            closed = True
        return head.decode("latin-1").split("\r\n"), closed


@pytest.fixture
def rep(sock):
    """A REP socket bound on ws://127.0.0.1:<free port>, and the port."""
    s = sock(nnpy.REP)
    port = free_port()
    s.bind("ws://127.0.0.1:%d" % port)
    return s, port


@pytest.fixture
def server(rep):
    return rep[1]


BAD_KEY = "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes"

REFUSALS = {
    "key-3000-chars": (request(Sec_WebSocket_Key="A" * 3000), BAD_KEY),
    "key-not-16-bytes": (request(Sec_WebSocket_Key="c2hvcnQ="), BAD_KEY),
    "key-not-base64": (request(Sec_WebSocket_Key="!" * 22 + "=="), BAD_KEY),
    "key-17-bytes": (request(Sec_WebSocket_Key=base64.b64encode(b"x" * 17).decode()),
                     BAD_KEY),
    "key-missing": (request(Sec_WebSocket_Key=None), BAD_KEY),
    "key-empty": (request(Sec_WebSocket_Key=""), BAD_KEY),
    "upgrade-missing": (request(Upgrade=None), "400 Upgrade Must Be websocket"),
    "upgrade-other": (request(Upgrade="h2c"), "400 Upgrade Must Be websocket"),
    "connection-missing": (request(Connection=None),
                           "400 Connection Must Include Upgrade"),
    "connection-keep-alive": (request(Connection="keep-alive"),
                              "400 Connection Must Include Upgrade"),
    "connection-substring": (request(Connection="upgraded"),
                             "400 Connection Must Include Upgrade"),
    "version-8": (request(Sec_WebSocket_Version="8"), "400 Unsupported WebSocket Version"),
    "version-missing": (request(Sec_WebSocket_Version=None),
                        "400 Unsupported WebSocket Version"),
    "host-missing": (request(Host=None), "400 Missing Host"),
    "header-without-colon": (request(raw="NoColonHere\r\n"), "400 Malformed Header Field"),
    "post": (request().replace(b"GET ", b"POST ", 1), "400 Bad Request Line"),
    "http-1.0": (request().replace(b"HTTP/1.1", b"HTTP/1.0", 1), "400 Bad Request Line"),
    "target-not-a-path": (request("x"), "400 Bad Request Line"),
    "wrong-socket-type": (request(Sec_WebSocket_Protocol="pub.sp.nanomsg.org"),
                          "400 Incompatible Socket Type"),
    "unknown-socket-type": (request(Sec_WebSocket_Protocol="x.sp.nanomsg.org"),
                            "400 Unrecognized Socket Type"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_with_reason_then_closed(server, case):
    data, status = REFUSALS[case]
    head, closed = exchange(server, data)
    assert head[0] == "HTTP/1.1 " + status
    assert "Sec-WebSocket-Version: 13" in head[1:]
    assert "Connection: close" in head[1:]
    assert closed, "the server kept the connection open after %r" % head[0]


def test_too_long_refused_then_closed(server):
    head, closed = exchange(server, request(raw="X-Pad: %s\r\n" % ("p" * 5000)))
    assert head[0] == "HTTP/1.1 400 Opening Handshake Too Long"
    assert closed


@pytest.mark.parametrize("target", ["/", "", "/any/path?q=1", "ws://h:1/x"])
def test_accepted(server, target):
    """Any target for a server bound without a path; the empty one is
    what nng sends for `ws://host:port`."""
    with socket.create_connection(("127.0.0.1", server), timeout=IO_TIMEOUT_S) as c:
        c.sendall(request(target))
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = c.recv(4096)
            assert chunk, "closed after %r" % got
            got += chunk
    lines = got.split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 101 Switching Protocols"
    assert "Sec-WebSocket-Accept: " + ACCEPT in lines


def test_refused_client_does_not_disturb_the_socket(sock, rep):
    """After malformed requests, a real client still gets through."""
    server, port = rep
    for data, _ in list(REFUSALS.values())[:3]:
        exchange(port, data)
    req = sock(nnpy.REQ)
    req.connect("ws://127.0.0.1:%d" % port)
    req.send(b"ping")
    assert server.recv() == b"ping"
    server.send(b"pong")
    assert req.recv() == b"pong"
