"""A user's script touching every documented call; `mypy --strict` must pass
(tests/test_typing.py). It is also run, so it must work."""
import array
import asyncio
from typing import List

import nnpy


def blocking(where: str) -> List[bytes]:
    out: List[bytes] = []
    with nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimeo=2000, sndtimeo=2000) as a, \
            nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, reconnect_ivl=50, name="b") as b:
        eid: int = a.bind(where)
        b.connect(where)
        n: int = a.send(b"bytes")
        a.send("str")
        a.send(bytearray(b"ba"))
        a.send(memoryview(b"mv"))
        a.send(array.array("i", [1, 2]))
        out.append(b.recv())
        out.append(b.recv(0))
        msg: nnpy.Message = b.recv_msg()
        with msg:
            view = memoryview(msg)
            out.append(view.tobytes())
            view.release()
        buf = bytearray(64)
        size: int = b.recv_into(buf)
        out.append(bytes(buf[:size]))
        fwd = b.recv_msg(nnpy.DONTWAIT)
        b.send(fwd)
        out.append(a.recv())
        zc = nnpy.Message(2)
        memoryview(zc)[:] = b"zc"
        b.send(zc)
        out.append(a.recv())
        timeout: int = a.rcvtimeo
        a.rcvtimeo = timeout + 1
        a.sndtimeo = 100
        a.linger = 0
        a.sndbuf, a.rcvbuf, a.rcvmaxsize = 1 << 17, 1 << 17, -1
        a.reconnect_ivl, a.reconnect_ivl_max = 100, 0
        a.sndprio, a.rcvprio, a.ipv4only, a.maxttl = 1, 1, 1, 8
        label: str = a.name
        a.name = label + "!"
        fds: List[int] = [a.rcvfd, a.sndfd, a.domain, a.protocol]
        a.tcp_nodelay = 1
        a.ws_msg_type = nnpy.WS_MSG_TYPE_BINARY
        a.ipc_outbufsz = a.ipc_inbufsz = 4096
        value = a.getsockopt(nnpy.SOL_SOCKET, nnpy.LINGER)
        a.setsockopt(nnpy.SOL_SOCKET, nnpy.LINGER, value)
        sent: int = a.get_statistic(nnpy.STAT_MESSAGES_SENT)
        a.shutdown(eid)
        assert n == 5 and sent >= 0 and len(fds) == 4 and not a.closed
    with nnpy.Socket(nnpy.AF_SP, nnpy.REQ, req_resend_ivl=1000) as req:
        req.req_resend_ivl = 2000
    with nnpy.Socket(nnpy.AF_SP, nnpy.SURVEYOR, surveyor_deadline=100) as sv:
        sv.surveyor_deadline = 200
    with nnpy.Socket(nnpy.AF_SP, nnpy.SUB) as sub:
        sub.subscribe("topic")
        sub.subscribe(b"t2")
        sub.unsubscribe("topic")
    poll = nnpy.PollSet((a, nnpy.POLLIN))
    assert isinstance(poll, nnpy.PollSet)
    return out


async def coroutines(where: str) -> List[bytes]:
    out: List[bytes] = []
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimeo=2000)
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimeo=2000)
    try:
        a.bind(where)
        b.connect(where)
        n: int = await a.asend(b"one")
        await a.asend("two", 0)
        await a.asend(array.array("B", [3]))
        out.append(await b.arecv())
        out.append(await b.arecv(0))
        msg: nnpy.Message = await b.arecv_msg()
        out.append(bytes(msg))
        msg.release()
        await a.asend(b"four")
        buf = bytearray(8)
        size: int = await b.arecv_into(buf)
        out.append(bytes(buf[:size]))
        assert n == 3
    except nnpy.NNError as e:
        code: int = e.error_no
        raise RuntimeError(code) from e
    finally:
        a.close()
        b.close()
    return out


def device_sketch() -> None:
    s1 = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.REP)
    s2 = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.REQ)
    s1.close()
    s2.close()
    try:
        nnpy.device(s1, s2)
    except nnpy.BadSocketError:
        pass


if __name__ == "__main__":
    print(blocking("inproc://typing-blocking"))
    print(asyncio.run(coroutines("inproc://typing-async")))
    device_sketch()
