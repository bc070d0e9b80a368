"""The classic nanomsg slide examples, over inproc."""
import threading

import nnpy
from util import TIMEOUT_MS


def _timeouts(*socks):
    for s in socks:
        s.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, TIMEOUT_MS)
        s.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO, TIMEOUT_MS)


def test_pair(addr):
    where = addr("slide-pair")
    s1 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    s2 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    _timeouts(s1, s2)
    s1.bind(where)
    s2.connect(where)
    s1.send(b"hello")
    assert s2.recv() == b"hello"
    s2.send(b"world")
    assert s1.recv() == b"world"
    s1.close()
    s2.close()


def _reqrep(rep_binds, where):
    rep = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
    req = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
    _timeouts(rep, req)
    if rep_binds:
        rep.bind(where)
        req.connect(where)
    else:
        req.bind(where)
        rep.connect(where)
    req.send(b"hello")
    assert rep.recv() == b"hello"
    rep.send(b"world")
    assert req.recv() == b"world"
    req.close()
    rep.close()


def test_reqrep_rep_binds(addr):
    _reqrep(True, addr("slide-rr"))


def test_reqrep_req_binds(addr):
    _reqrep(False, addr("slide-rr"))


class Server:
    """A REP server answering in its own thread until told to stop."""

    def __init__(self, where):
        self.sock = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
        _timeouts(self.sock)
        self.sock.bind(where)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.served = 0

    def serve(self):
        while True:
            msg = self.sock.recv()
            if msg == b"stop":
                self.sock.send(b"bye")
                return
            self.sock.send(b"re: " + msg)
            self.served += 1


class Client:
    def __init__(self, where):
        self.sock = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
        _timeouts(self.sock)
        self.sock.connect(where)

    def ask(self, msg):
        self.sock.send(msg)
        return self.sock.recv()


def test_server_thread_and_client_class(addr):
    where = addr("slide-server")
    server = Server(where)
    server.thread.start()
    client = Client(where)
    for i in range(20):
        assert client.ask(b"q%d" % i) == b"re: q%d" % i
    assert client.ask(b"stop") == b"bye"
    server.thread.join(5)
    assert not server.thread.is_alive()
    assert server.served == 20
    client.sock.close()
    server.sock.close()


def test_pubsub_all_and_prefix(addr):
    where = addr("slide-pubsub")
    pub = nnpy.Socket(nnpy.AF_SP, nnpy.PUB)
    pub.bind(where)
    sub_all = nnpy.Socket(nnpy.AF_SP, nnpy.SUB)
    sub_w = nnpy.Socket(nnpy.AF_SP, nnpy.SUB)
    _timeouts(sub_all, sub_w)
    sub_all.connect(where)
    sub_w.connect(where)
    sub_all.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, "")
    sub_w.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, "w")
    for msg in (b"hello", b"world", b"wonder", b"x"):
        pub.send(msg)
    assert [sub_all.recv() for _ in range(4)] == [b"hello", b"world", b"wonder", b"x"]
    assert [sub_w.recv() for _ in range(2)] == [b"world", b"wonder"]
    sub_w.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 50)
    try:
        sub_w.recv()
        raise AssertionError("SUB 'w' received a message it did not subscribe to")
    except TimeoutError:
        pass
    for s in (pub, sub_all, sub_w):
        s.close()
