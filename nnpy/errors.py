"""Exceptions raised by nnpy, and :func:`convert` (the 1.x helper).

Every failure is an :class:`NNError` carrying the C errno in ``error_no``
(as in nnpy 1.x).  NNError derives from :class:`OSError`, and the common
cases have subclasses that also derive from the matching builtin, so both
styles work::

    except nnpy.NNError as e:      # e.error_no == nnpy.ETIMEDOUT
    except TimeoutError:           # same exception
"""
from __future__ import annotations

import errno as _errno
from typing import Callable, Dict, Optional, Type, TypeVar, Union

from ._nnpy import ffi, lib

__all__ = [
    "NNError", "convert", "error_for", "raise_errno",
    "WouldBlockError", "TimedOutError", "InterruptedCallError", "BadSocketError",
    "InvalidArgumentError", "NotSupportedError", "StateError", "TerminatedError",
    "AddressInUseError", "NoProtocolOptionError", "NameTooLongError",
    "ProtocolNotSupportedError", "AddressFamilyNotSupportedError",
    "NNConnectionRefusedError", "NNConnectionResetError", "NNConnectionAbortedError",
    "NNMemoryError", "NNFileNotFoundError", "NNPermissionError",
]


def _strerror(error_no: int) -> str:
    raw: bytes = ffi.string(lib.nn_strerror(error_no))
    return raw.decode("utf-8", "replace")


class NNError(OSError):
    """A nanomsg call failed; ``error_no`` is the C errno value.

    ``str(e)`` is the library's message (``nn_strerror``), as in nnpy 1.x;
    ``errno``/``strerror`` are filled as for any OSError.
    """

    error_no: int

    def __init__(self, error_no: int, msg: Optional[str] = None) -> None:
        if msg is None:
            msg = _strerror(error_no)
        super().__init__(error_no, msg)
        self.error_no = error_no

    def __str__(self) -> str:
        return str(self.strerror)

    def __repr__(self) -> str:
        return "%s(%d, %r)" % (type(self).__name__, self.error_no, self.strerror)


# Fixed by nanomsg (not OS errno values); also read from the symbol table in
# nnpy.constants, which the tests compare with these.
_ETERM = 156384765
_EFSM = 156384766


class WouldBlockError(NNError, BlockingIOError):
    """EAGAIN: a non-blocking (DONTWAIT) call found nothing to do."""


class TimedOutError(NNError, TimeoutError):
    """ETIMEDOUT: SNDTIMEO/RCVTIMEO expired, or a survey deadline passed."""


class InterruptedCallError(NNError, InterruptedError):
    """EINTR: only seen from the raw lib; Socket methods retry."""


class BadSocketError(NNError):
    """EBADF: the socket is closed (or was closed while the call waited)."""


class InvalidArgumentError(NNError, ValueError):
    """EINVAL: a bad address, endpoint id, option value or argument."""


class NotSupportedError(NNError):
    """ENOTSUP: the socket type cannot do this (e.g. recv on PUB)."""


class StateError(NNError):
    """EFSM: not in this protocol state (e.g. REP send before recv)."""


class TerminatedError(NNError):
    """ETERM: nn_term() was called; no new socket can be made."""


class AddressInUseError(NNError):
    """EADDRINUSE: the address is already bound."""


class NoProtocolOptionError(NNError):
    """ENOPROTOOPT: unknown option or level for this socket."""


class NameTooLongError(NNError, ValueError):
    """ENAMETOOLONG: address (or ipc path) too long."""


class ProtocolNotSupportedError(NNError):
    """EPROTONOSUPPORT: unknown transport scheme."""


class AddressFamilyNotSupportedError(NNError, ValueError):
    """EAFNOSUPPORT: domain is neither AF_SP nor AF_SP_RAW."""


class NNConnectionRefusedError(NNError, ConnectionRefusedError):
    """ECONNREFUSED."""


class NNConnectionResetError(NNError, ConnectionResetError):
    """ECONNRESET."""


class NNConnectionAbortedError(NNError, ConnectionAbortedError):
    """ECONNABORTED."""


class NNMemoryError(NNError, MemoryError):
    """ENOMEM."""


class NNFileNotFoundError(NNError, FileNotFoundError):
    """ENOENT (e.g. ipc bind in a missing directory)."""


class NNPermissionError(NNError, PermissionError):
    """EACCES."""


_BY_ERRNO: Dict[int, Type[NNError]] = {
    _errno.EAGAIN: WouldBlockError,
    _errno.ETIMEDOUT: TimedOutError,
    _errno.EINTR: InterruptedCallError,
    _errno.EBADF: BadSocketError,
    _errno.EINVAL: InvalidArgumentError,
    _errno.ENOTSUP: NotSupportedError,
    _EFSM: StateError,
    _ETERM: TerminatedError,
    _errno.EADDRINUSE: AddressInUseError,
    _errno.ENOPROTOOPT: NoProtocolOptionError,
    _errno.ENAMETOOLONG: NameTooLongError,
    _errno.EPROTONOSUPPORT: ProtocolNotSupportedError,
    _errno.EAFNOSUPPORT: AddressFamilyNotSupportedError,
    _errno.ECONNREFUSED: NNConnectionRefusedError,
    _errno.ECONNRESET: NNConnectionResetError,
    _errno.ECONNABORTED: NNConnectionAbortedError,
    _errno.ENOMEM: NNMemoryError,
    _errno.ENOENT: NNFileNotFoundError,
    _errno.EACCES: NNPermissionError,
}


def error_for(error_no: int, context: Optional[str] = None) -> NNError:
    """The exception for ``error_no``: its subclass, or plain NNError.

    ``context`` names the failed call and its argument; the message is then
    ``"bind('tcp://127.0.0.1:5555'): Address already in use"``.
    """
    msg = _strerror(error_no)
    if context is not None:
        msg = "%s: %s" % (context, msg)
    return _BY_ERRNO.get(error_no, NNError)(error_no, msg)


def raise_errno() -> None:
    """Raise the exception for the calling thread's nanomsg errno."""
    raise error_for(lib.nn_errno())


T = TypeVar("T")


def convert(rc: int, value: Union[T, Callable[[], T], None] = None) -> Union[int, T]:
    """Raise for a negative ``rc`` (from ``nn_errno()``), else return a result.

    The result is ``value()`` if ``value`` is callable, ``value`` if given,
    and ``rc`` otherwise.
    """
    if rc < 0:
        raise error_for(lib.nn_errno())
    if value is None:
        return rc
    if callable(value):
        return value()
    return value
