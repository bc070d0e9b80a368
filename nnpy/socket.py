"""The nnpy ``Socket``: the nnpy 1.x API over the compiled core.

``send`` and ``recv`` are the hot path: one C call each way plus the copy
out of the received message; everything else (type dispatch, errors,
signal retries) is moved off the success path.
"""
from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any, Optional, Union

from . import constants as _c
from ._nnpy import ffi, lib
from ._speedups import bind as _bind_speedups
from ._speedups import recv as _fast_recv
from ._speedups import send as _fast_send
from ._speedups import SocketBase as _SocketBase
from ._async import Watch, attempt_until_done
from ._message import Message
from ._message import bind as _bind_message
from ._message import recv_msg as _recv_msg
from ._message import send_msg as _send_msg
from ._options import (IPC_INBUFSZ, IPC_OUTBUFSZ, SETTABLE, IntOption, ReadOnlyIntOption,
                       StrOption, option_name, sock_int)
from .errors import TimedOutError, error_for

__all__ = ["Socket", "NN_MSG", "Message"]

#: The "library-allocated message" length marker of nn_send/nn_recv.
NN_MSG: int = lib.NN_MSG

# What send() takes: a str (sent as UTF-8) or anything with the buffer
# protocol (bytes, bytearray, memoryview, array.array, numpy arrays, Message).
if TYPE_CHECKING:
    # typing_extensions is only read by type checkers (mypy ships its stubs).
    from typing_extensions import Buffer
    Data = Union[str, Buffer]
else:
    Data = Any

def _address(fn: Any) -> int:
    return int(ffi.cast("uintptr_t", ffi.addressof(lib, fn)))


# The C fast path calls the core of this very extension, not a copy.
_bind_speedups(_address("nn_send"), _address("nn_recv"), _address("nn_freemsg"))
_bind_message(_address("nn_send"), _address("nn_recv"), _address("nn_freemsg"),
              _address("nn_allocmsg"))

_nn_errno = lib.nn_errno
_unpack = ffi.unpack
_new = ffi.new
_from_buffer = ffi.from_buffer
_recv_into = lib.nn_recv

_EINTR = _c.EINTR
_DONTWAIT = _c.DONTWAIT
_ETIMEDOUT = _c.ETIMEDOUT
_EBADF = _c.EBADF
_SOL_SOCKET = _c.SOL_SOCKET
_SNDTIMEO = _c.SNDTIMEO
_RCVTIMEO = _c.RCVTIMEO
_TYPE_STR = _c.TYPE_STR
_INT_SIZE = ffi.sizeof("int")
_STR_OPT_MAX = 256  # string options are at most 63 bytes (NN_SOCKET_NAME)
_UINT64_MAX = 2 ** 64 - 1

def _as_buffer(data: Any) -> "tuple[Any, int]":
    """(object cffi can pass as `const void *`, its size in bytes).

    The size is always in bytes, whatever a memoryview's format or shape.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
        return data, len(data)
    try:
        buf = _from_buffer(data)
    except TypeError:
        raise TypeError("expected str or a bytes-like object, not %s"
                        % type(data).__name__) from None
    except (BufferError, ValueError):
        # Non-contiguous views cannot be passed as one pointer: copy them.
        data = memoryview(data).tobytes()
        return data, len(data)
    return buf, len(buf)


class Socket(_SocketBase):
    """A nanomsg socket: ``Socket(AF_SP, PAIR)``.

    ``sock`` is the C socket number (``-1`` once closed).  ``close()`` may be
    called any number of times; every other call on a closed socket raises
    :class:`nnpy.errors.BadSocketError` (an NNError with ``error_no ==
    EBADF``).  Blocking calls that a signal interrupts run the Python signal
    handlers (so Ctrl-C raises KeyboardInterrupt) and otherwise carry on;
    the NN_SNDTIMEO/NN_RCVTIMEO period then starts again.
    """

    # No __dict__: assigning a misspelt option (``s.rcvtimout = 100``)
    # raises AttributeError instead of passing silently. ``sock`` is a slot
    # of the C base class, which also implements send and recv.
    __slots__ = ("_pid", "_rwatch", "_swatch", "__weakref__")

    def __init__(self, domain: int, protocol: int, *,
                 linger: Optional[int] = None, sndbuf: Optional[int] = None,
                 rcvbuf: Optional[int] = None, rcvmaxsize: Optional[int] = None,
                 sndtimeo: Optional[int] = None, rcvtimeo: Optional[int] = None,
                 reconnect_ivl: Optional[int] = None,
                 reconnect_ivl_max: Optional[int] = None,
                 sndprio: Optional[int] = None, rcvprio: Optional[int] = None,
                 ipv4only: Optional[int] = None, maxttl: Optional[int] = None,
                 name: Optional[str] = None, req_resend_ivl: Optional[int] = None,
                 surveyor_deadline: Optional[int] = None,
                 tcp_nodelay: Optional[int] = None, ws_msg_type: Optional[int] = None,
                 ipc_outbufsz: Optional[int] = None,
                 ipc_inbufsz: Optional[int] = None) -> None:
        """Every option attribute may be given as a keyword:
        ``Socket(AF_SP, REQ, rcvtimeo=500, reconnect_ivl=50)``."""
        self.sock = -1
        self._rwatch: Optional[Watch] = None
        self._swatch: Optional[Watch] = None
        sock = lib.nn_socket(domain, protocol)
        if sock < 0:
            raise self._error("socket(%s, %s)" % (domain, protocol), _nn_errno())
        self.sock = sock
        self._pid = os.getpid()
        given = locals()
        try:
            for option in SETTABLE:
                if given[option] is not None:
                    setattr(self, option, given[option])
        except BaseException:
            self.close()
            raise

    # -- messages ------------------------------------------------------------

    # send and recv are the C base's methods (nnpy/_speedups.c): their
    # success path runs without an interpreter frame. Their errors, and
    # data other than bytes, come back to the methods below.
    if TYPE_CHECKING:
        def send(self, data: Data, flags: int = 0) -> int:
            """Send one message; returns its size in bytes."""
            return _SocketBase.send(self, data, flags)

        def recv(self, flags: int = 0) -> bytes:
            """Receive one message as bytes."""
            return _SocketBase.recv(self, flags)
    else:
        send = _SocketBase.send
        recv = _SocketBase.recv

    def _send_other(self, data: Any, flags: int) -> int:
        if type(data) is Message:
            return _send_msg(self.sock, data, flags)  # zero-copy: consumes it
        if isinstance(data, str):
            return _fast_send(self.sock, data.encode("utf-8"), flags)
        try:
            return _fast_send(self.sock, data, flags)
        except BufferError:
            # Non-contiguous views cannot be passed as one pointer: copy.
            return _fast_send(self.sock, memoryview(data).tobytes(), flags)
        except TypeError:
            raise TypeError("expected str or a bytes-like object, not %s"
                            % type(data).__name__) from None

    def _send_failed(self, err: int, data: Any, flags: int) -> int:
        # EINTR: the interpreter runs pending signal handlers as this frame
        # starts and at each turn of the loop, so a handler that raises
        # (Ctrl-C: KeyboardInterrupt) ends the call; otherwise try again.
        while err == _EINTR:
            rc = self._send_other(data, flags)
            if rc >= 0:
                return rc
            err = -rc
        raise self._error("send", err)

    def _recv_failed(self, err: int, flags: int) -> bytes:
        while err == _EINTR:  # see _send_failed
            data = _fast_recv(self.sock, flags)
            if type(data) is not int:
                return data  # type: ignore[no-any-return]
            err = -data
        raise self._error("recv", err)

    # -- zero-copy receive ---------------------------------------------------------

    def recv_msg(self, flags: int = 0) -> Message:
        """Receive one message without copying it: a :class:`Message`.

        ``memoryview(msg)`` reads it in place; it is freed by
        ``msg.release()``, a ``with`` block, or garbage collection.
        """
        msg = _recv_msg(self.sock, flags)
        while type(msg) is int:
            if msg != -_EINTR:  # see _send_failed
                raise self._error("recv_msg", -msg)
            msg = _recv_msg(self.sock, flags)
        return msg  # type: ignore[return-value]

    def recv_into(self, buffer: Any, flags: int = 0) -> int:
        """Receive one message into the writable ``buffer``.

        Returns the message's full size, as nn_recv does: a result larger
        than the buffer means the message was truncated to fit.
        """
        buf = _writable(buffer)
        rc = _recv_into(self.sock, buf, len(buf), flags)
        while rc < 0:
            err = _nn_errno()
            if err != _EINTR:
                raise self._error("recv_into", err)
            rc = _recv_into(self.sock, buf, len(buf), flags)
        return rc

    async def arecv_msg(self, flags: int = 0) -> Message:
        """:meth:`recv_msg` for asyncio and trio (see :meth:`arecv`)."""
        msg = _recv_msg(self.sock, flags | _DONTWAIT)
        if type(msg) is not int:
            return msg  # type: ignore[return-value]
        if flags & _DONTWAIT:
            raise self._error("arecv_msg", -msg)
        flags |= _DONTWAIT
        return await attempt_until_done(  # type: ignore[no-any-return]
            self, "arecv_msg", False, -msg, lambda n: _recv_msg(n, flags))

    async def arecv_into(self, buffer: Any, flags: int = 0) -> int:
        """:meth:`recv_into` for asyncio and trio (see :meth:`arecv`)."""
        buf = _writable(buffer)
        size = len(buf)

        def attempt(n: int) -> int:
            rc = _recv_into(n, buf, size, flags | _DONTWAIT)
            return rc if rc >= 0 else -_nn_errno()
        rc = attempt(self.sock)
        if rc >= 0:
            return rc
        if flags & _DONTWAIT:
            raise self._error("arecv_into", -rc)
        return await attempt_until_done(  # type: ignore[no-any-return]
            self, "arecv_into", False, -rc, attempt)

    # -- coroutines ------------------------------------------------------------
    # The first attempt is the non-blocking C call; only when it finds
    # nothing to do does the task wait for NN_RCVFD/NN_SNDFD (see _async).

    async def arecv(self, flags: int = 0) -> bytes:
        """Receive one message as bytes, waiting without blocking the loop.

        Works under asyncio (and uvloop) and trio. RCVTIMEO applies. A
        cancelled call leaves the message in the socket.
        """
        data = _fast_recv(self.sock, flags | _DONTWAIT)
        if type(data) is not int:
            return data  # type: ignore[no-any-return]
        if flags & _DONTWAIT:
            raise self._error("arecv", -data)
        flags |= _DONTWAIT
        return await attempt_until_done(  # type: ignore[no-any-return]
            self, "arecv", False, -data, lambda n: _fast_recv(n, flags))

    async def asend(self, data: Data, flags: int = 0) -> int:
        """Send one message without blocking the loop; returns its size.

        SNDTIMEO applies. A cancelled call has sent the whole message or
        nothing.
        """
        rc = _fast_send(self.sock, data, flags | _DONTWAIT) if type(data) is bytes \
            else self._send_other(data, flags | _DONTWAIT)
        if rc >= 0:
            return rc
        if flags & _DONTWAIT:
            raise self._error("asend", -rc)
        flags |= _DONTWAIT
        return await attempt_until_done(  # type: ignore[no-any-return]
            self, "asend", True, -rc, lambda n: self._send_other(data, flags))

    def _watch(self, send: bool) -> Watch:
        """The readiness fd of one direction, as event loops watch it."""
        watch = self._swatch if send else self._rwatch
        if watch is None:
            fd = self.getsockopt(_SOL_SOCKET, _c.SNDFD if send else _c.RCVFD)
            watch = Watch(int(fd))
            if send:
                self._swatch = watch
            else:
                self._rwatch = watch
        return watch

    def _timeout_ms(self, send: bool) -> int:
        # Read at the first wait of every async call: the direct C call.
        option = _SNDTIMEO if send else _RCVTIMEO
        ibuf = _new("int *")
        if lib.nn_getsockopt(self.sock, _SOL_SOCKET, option, ibuf, _new("size_t *", _INT_SIZE)) < 0:
            return int(self.getsockopt(_SOL_SOCKET, option))  # raises, naming the option
        return int(ibuf[0])

    # -- errors that name the call -----------------------------------------------

    def _error(self, call: str, err: int) -> Exception:
        if err == _ETIMEDOUT and self.sock >= 0:
            send = call.endswith("send")
            if not send and self._survey_ended():
                deadline = self.getsockopt(_c.SURVEYOR, _c.SURVEYOR_DEADLINE)
                return TimedOutError(_ETIMEDOUT, "%s: survey deadline passed after %d ms "
                                                 "(SURVEYOR_DEADLINE)" % (call, int(deadline)))
            return self._timed_out(call, send, None)
        return error_for(err, call)

    def _survey_ended(self) -> bool:
        """Whether a SURVEYOR's ETIMEDOUT came from its deadline, not RCVTIMEO."""
        try:
            if self.protocol != _c.SURVEYOR or self.domain != _c.AF_SP:
                return False
            deadline = self.getsockopt(_c.SURVEYOR, _c.SURVEYOR_DEADLINE)
            rcvtimeo = self.rcvtimeo
        except Exception:
            return False
        return rcvtimeo < 0 or int(deadline) <= rcvtimeo

    def _timed_out(self, call: str, send: bool, timeout_ms: Optional[int]) -> Exception:
        """The ETIMEDOUT of a send or receive, saying which limit it was."""
        if timeout_ms is None:
            try:
                timeout_ms = self._timeout_ms(send)
            except Exception:
                return error_for(_ETIMEDOUT, call)
        what = "%s: timed out after %d ms (%s)" % (
            call, timeout_ms, "SNDTIMEO" if send else "RCVTIMEO")
        return TimedOutError(_ETIMEDOUT, what)

    # -- endpoints -----------------------------------------------------------

    def bind(self, addr: Union[str, bytes]) -> int:
        """Bind to ``addr`` (e.g. ``"inproc://a"``); returns the endpoint id."""
        rc = lib.nn_bind(self.sock, _addr(addr))
        if rc < 0:
            raise _endpoint_error("bind", addr, _nn_errno())
        return rc

    def connect(self, addr: Union[str, bytes]) -> int:
        """Connect to ``addr``; returns the endpoint id."""
        rc = lib.nn_connect(self.sock, _addr(addr))
        if rc < 0:
            raise _endpoint_error("connect", addr, _nn_errno())
        return rc

    def shutdown(self, eid: int) -> None:
        """Remove the endpoint ``eid`` returned by bind or connect."""
        if lib.nn_shutdown(self.sock, eid) < 0:
            raise error_for(_nn_errno(), "shutdown(%r)" % (eid,))

    # -- options -------------------------------------------------------------

    def setsockopt(self, level: int, option: int, value: Union[int, str, bytes, Any]) -> None:
        """Set an option; ``value`` is an int, a str (UTF-8) or bytes."""
        if isinstance(value, int):
            buf, size = _new("int *", value), _INT_SIZE
        elif isinstance(value, str):
            buf = value.encode("utf-8", "surrogateescape")
            size = len(buf)
        else:
            buf, size = _as_buffer(value)
        if lib.nn_setsockopt(self.sock, level, option, buf, size) < 0:
            raise error_for(_nn_errno(), "setsockopt(%s, %r)" % (option_name(level, option), value))

    def getsockopt(self, level: int, option: int) -> Union[int, str]:
        """Read an option: an int, or a str for string options (SOCKET_NAME)."""
        if _c.option_type(level, option) == _TYPE_STR:
            sbuf = _new("char[]", _STR_OPT_MAX)
            size = _new("size_t *", _STR_OPT_MAX)
            if lib.nn_getsockopt(self.sock, level, option, sbuf, size) < 0:
                raise error_for(_nn_errno(), "getsockopt(%s)" % option_name(level, option))
            raw: bytes = _unpack(sbuf, min(size[0], _STR_OPT_MAX))
            return raw.decode("utf-8", "surrogateescape")
        ibuf = _new("int *")
        size = _new("size_t *", _INT_SIZE)
        if lib.nn_getsockopt(self.sock, level, option, ibuf, size) < 0:
            raise error_for(_nn_errno(), "getsockopt(%s)" % option_name(level, option))
        return int(ibuf[0])

    def get_statistic(self, statistic: int) -> int:
        """Current value of a statistic (``STAT_*``).

        NN_STAT_CURRENT_SND_PRIORITY reads -1 when no pipe can send.
        """
        ffi.errno = 0  # the C API returns (uint64_t)-1 for errors and for that -1
        value = lib.nn_get_statistic(self.sock, statistic)
        if value == _UINT64_MAX:
            err = ffi.errno
            if err:
                raise error_for(err, "get_statistic(%r)" % (statistic,))
            return -1
        return int(value)

    # -- life cycle ----------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.sock < 0

    def close(self) -> None:
        """Close the socket. Closing a closed socket does nothing.

        A call blocked on the socket in another thread fails with EBADF.
        """
        sock = self.sock
        if sock < 0:
            return
        # Forget the number first: the core reuses it for the next socket.
        self.sock = -1
        # Tasks still waiting hold the watches; they wake as the core
        # makes the fds readable on close, and fail with EBADF.
        self._rwatch = self._swatch = None
        if lib.nn_close(sock) < 0:
            err = _nn_errno()
            if err != _EBADF:  # EBADF: nn_term() closed it already
                raise error_for(err, "close")

    def __enter__(self) -> "Socket":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self, _close: Any = lib.nn_close, _getpid: Any = os.getpid,
                _warn: Any = warnings.warn) -> None:
        # Runs at garbage collection and at interpreter exit, when module
        # globals may be gone: everything used is bound as a default. A forked
        # child must not touch the parent's sockets, nor warn about them.
        sock = getattr(self, "sock", -1)
        if sock >= 0 and getattr(self, "_pid", None) == _getpid():
            self.sock = -1
            try:
                _warn("unclosed nnpy.Socket sock=%d" % sock, ResourceWarning, 2, self)
            finally:
                _close(sock)

    def __repr__(self) -> str:
        if self.sock < 0:
            return "<nnpy.Socket closed>"
        return "<nnpy.Socket sock=%d>" % self.sock

    # -- common options as properties ----------------------------------------

    linger = sock_int(_c.LINGER, "NN_LINGER (ms); always reads 0")
    sndbuf = sock_int(_c.SNDBUF, "NN_SNDBUF (bytes)")
    rcvbuf = sock_int(_c.RCVBUF, "NN_RCVBUF (bytes)")
    rcvmaxsize = sock_int(_c.RCVMAXSIZE, "NN_RCVMAXSIZE (bytes, -1: no limit)")
    sndtimeo = sock_int(_c.SNDTIMEO, "NN_SNDTIMEO (ms, -1: forever)")
    rcvtimeo = sock_int(_c.RCVTIMEO, "NN_RCVTIMEO (ms, -1: forever)")
    reconnect_ivl = sock_int(_c.RECONNECT_IVL, "NN_RECONNECT_IVL (ms)")
    reconnect_ivl_max = sock_int(_c.RECONNECT_IVL_MAX, "NN_RECONNECT_IVL_MAX (ms)")
    sndprio = sock_int(_c.SNDPRIO, "NN_SNDPRIO (1 best .. 16)")
    rcvprio = sock_int(_c.RCVPRIO, "NN_RCVPRIO (1 best .. 16)")
    ipv4only = sock_int(_c.IPV4ONLY, "NN_IPV4ONLY (0 or 1)")
    maxttl = sock_int(_c.MAXTTL, "NN_MAXTTL (hops)")
    name = StrOption(_SOL_SOCKET, _c.SOCKET_NAME, "NN_SOCKET_NAME (str)")
    sndfd = ReadOnlyIntOption(_SOL_SOCKET, _c.SNDFD,
                              "NN_SNDFD: readable while a send would not block")
    rcvfd = ReadOnlyIntOption(_SOL_SOCKET, _c.RCVFD,
                              "NN_RCVFD: readable while a recv would not block")
    domain = ReadOnlyIntOption(_SOL_SOCKET, _c.DOMAIN, "NN_DOMAIN (AF_SP or AF_SP_RAW)")
    protocol = ReadOnlyIntOption(_SOL_SOCKET, _c.PROTOCOL, "NN_PROTOCOL (PAIR, PUB, ...)")
    # Protocol and transport options (ENOPROTOOPT on sockets they do not fit).
    req_resend_ivl = IntOption(_c.REQ, _c.REQ_RESEND_IVL, "NN_REQ_RESEND_IVL (ms; REQ)")
    surveyor_deadline = IntOption(_c.SURVEYOR, _c.SURVEYOR_DEADLINE,
                                  "NN_SURVEYOR_DEADLINE (ms; SURVEYOR)")
    tcp_nodelay = IntOption(_c.TCP, _c.TCP_NODELAY, "NN_TCP_NODELAY (0 or 1; tcp endpoints)")
    ws_msg_type = IntOption(_c.WS, _c.WS_MSG_TYPE,
                            "NN_WS_MSG_TYPE (WS_MSG_TYPE_BINARY or _TEXT; ws endpoints)")
    ipc_outbufsz = IntOption(_c.IPC, IPC_OUTBUFSZ, "NN_IPC_OUTBUFSZ (bytes; ipc endpoints)")
    ipc_inbufsz = IntOption(_c.IPC, IPC_INBUFSZ, "NN_IPC_INBUFSZ (bytes; ipc endpoints)")

    # -- conveniences ----------------------------------------------------------

    def subscribe(self, topic: Union[str, bytes]) -> None:
        """SUB: receive messages starting with ``topic`` (``""``: all)."""
        self.setsockopt(_c.SUB, _c.SUB_SUBSCRIBE, topic)

    def unsubscribe(self, topic: Union[str, bytes]) -> None:
        """SUB: drop one subscription to ``topic`` (EINVAL if none)."""
        self.setsockopt(_c.SUB, _c.SUB_UNSUBSCRIBE, topic)


def _endpoint_error(call: str, addr: Union[str, bytes], err: int) -> Exception:
    where = "%s(%r)" % (call, addr)
    if err == _c.ENODEV and call == "bind":
        # The core looks the host of a bind address up among the local
        # interfaces and numeric addresses only: say that, not "No such device".
        host = _host(addr)
        return error_for(err, "%s: cannot resolve %r to a local interface or IP address "
                              "(bind takes no host names but localhost)" % (where, host))
    return error_for(err, where)


def _host(addr: Union[str, bytes]) -> str:
    text = addr.decode("utf-8", "replace") if isinstance(addr, bytes) else addr
    rest = text.split("://", 1)[-1].split("/", 1)[0]
    rest = rest.split(";")[-1]                       # tcp://iface;host:port
    return rest.rsplit(":", 1)[0]


def _writable(buffer: Any) -> Any:
    try:
        return _from_buffer(buffer, require_writable=True)
    except (TypeError, BufferError):
        raise TypeError("recv_into needs a writable bytes-like object, not %s"
                        % type(buffer).__name__) from None


def _addr(addr: Union[str, bytes]) -> bytes:
    if isinstance(addr, str):
        return addr.encode("utf-8")
    if isinstance(addr, (bytes, bytearray)):
        return bytes(addr)
    raise TypeError("address must be str or bytes, not %s" % type(addr).__name__)
