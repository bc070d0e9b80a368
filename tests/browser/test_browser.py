"""A web browser as an SP peer: a page's JavaScript WebSocket against nnpy
sockets bound on ws://, in a real headless Chromium.

The page (peer.html + peer.js) opens ``ws://127.0.0.1:PORT/`` with the SP
subprotocol naming its peer's type, and logs everything it receives into
``window.peerLog``, which these tests read.
"""
from __future__ import annotations

import socket
import time
from typing import Any, Callable, List

import pytest

import nnpy

from .conftest import HERE

pytestmark = pytest.mark.timeout(90)

WAIT = 20.0  # seconds: a cold headless Chromium can take a while to start
TIMEOUT_MS = 10000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bound(protocol: int, setup: Callable[[nnpy.Socket], None] = lambda s: None) -> "tuple[nnpy.Socket, int]":
    """A socket bound on ws://127.0.0.1 at a free port (retried if taken)."""
    for _ in range(20):
        s = nnpy.Socket(nnpy.AF_SP, protocol)
        s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
        setup(s)
        port = free_port()
        try:
            s.bind("ws://127.0.0.1:%d" % port)
            return s, port
        except nnpy.AddressInUseError:
            s.close()
    raise RuntimeError("no free port")


def open_page(driver: Any, mode: str, port: int) -> None:
    driver.get("%s?mode=%s&port=%d" % ((HERE / "peer.html").as_uri(), mode, port))


def page_log(driver: Any) -> List[str]:
    return list(driver.execute_script("return window.peerLog || []"))


def wait_for_log(driver: Any, count: int) -> List[str]:
    """The page's log once it has ``count`` lines (fails after WAIT s)."""
    deadline = time.monotonic() + WAIT
    while True:
        lines = page_log(driver)
        if len(lines) >= count or time.monotonic() > deadline:
            assert len(lines) >= count, "the page logged only %r" % (lines,)
            return lines
        time.sleep(0.05)


def test_pair_binary_frames(chromium: Any) -> None:
    s, port = bound(nnpy.PAIR)
    with s:
        open_page(chromium, "pair", port)
        assert s.recv() == b"hello from the browser"
        every_byte = bytes(range(256))
        s.send(every_byte)
        assert s.recv() == b"echo " + every_byte
        big = bytes(i * 7 % 251 for i in range(70000))  # 64-bit frame length
        s.send(big)
        assert s.recv() == b"echo " + big
        log = wait_for_log(chromium, 3)
    assert log[:3] == ["open pair.sp.nanomsg.org",
                       "binary 256 0001020304050607",
                       "binary 70000 00070e151c232a31"]


def test_pair_text_frames(chromium: Any) -> None:
    def text(s: nnpy.Socket) -> None:
        s.setsockopt(nnpy.WS, nnpy.WS_MSG_TYPE, nnpy.WS_MSG_TYPE_TEXT)

    s, port = bound(nnpy.PAIR, text)
    with s:
        open_page(chromium, "text", port)
        assert s.recv() == "héllo ✓ from the browser".encode("utf-8")
        s.send("ünïcode ✓")
        assert s.recv() == "echo ünïcode ✓".encode("utf-8")
        log = wait_for_log(chromium, 2)
    # typeof event.data is "string" only for a text frame.
    assert log[:2] == ["open pair.sp.nanomsg.org", "string ünïcode ✓"]


def test_browser_as_req_client(chromium: Any) -> None:
    rep, port = bound(nnpy.REP)
    with rep:
        open_page(chromium, "req", port)
        # REP strips the browser's request id; the reply gets it back.
        assert rep.recv() == b"question one"
        rep.send(b"answer one")
        assert rep.recv() == b"question two"
        rep.send(b"answer two")
        log = wait_for_log(chromium, 4)
    assert log[:4] == ["open rep.sp.nanomsg.org",
                       "reply same-id answer one",
                       "reply same-id answer two",
                       "done"]


def test_browser_as_sub(chromium: Any) -> None:
    pub, port = bound(nnpy.PUB)
    with pub:
        open_page(chromium, "sub", port)
        deadline = time.monotonic() + WAIT
        while pub.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) < 1:
            assert time.monotonic() < deadline, "the page did not connect"
            time.sleep(0.05)
        for news in (b"news one", b"news two", b"news three"):
            pub.send(news)
        log = wait_for_log(chromium, 4)
    assert log[:4] == ["open pub.sp.nanomsg.org", "news news one",
                       "news news two", "news news three"]


def test_wrong_subprotocol_is_refused(chromium: Any) -> None:
    """A REQ page against a PAIR server: the handshake fails in the browser."""
    s, port = bound(nnpy.PAIR)
    with s:
        open_page(chromium, "req", port)
        log = wait_for_log(chromium, 2)
    assert log[:2] == ["error", "close 1006"]
