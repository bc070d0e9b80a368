"""Socket options as typed attributes: ``sock.rcvtimeo = 500``.

Each descriptor is one (level, option) pair. Int options read and take
``int`` (``bool`` too, being an int), string options ``str``; type checkers
see exactly that. Read-only options have no ``__set__``: with
``Socket.__slots__`` assigning them raises AttributeError.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Optional, Type, TypeVar, Union, overload

from . import constants as _c

if TYPE_CHECKING:
    from .socket import Socket

__all__ = ["IntOption", "StrOption", "ReadOnlyIntOption", "SETTABLE"]

V = TypeVar("V", int, str)
D = TypeVar("D", bound="_Option")  # type: ignore[type-arg]

# Options outside the symbol table (libnanomsg's ipc.h has them too).
IPC_OUTBUFSZ = 2
IPC_INBUFSZ = 3


class _Option(Generic[V]):

    def __init__(self, level: int, option: int, doc: str) -> None:
        self.level = level
        self.option = option
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self: D, obj: None, owner: Optional[Type["Socket"]] = None) -> D: ...
    @overload
    def __get__(self, obj: "Socket", owner: Optional[Type["Socket"]] = None) -> V: ...

    def __get__(self, obj: Optional["Socket"],
                owner: Optional[Type["Socket"]] = None) -> Union[V, "_Option[V]"]:
        if obj is None:
            return self
        return obj.getsockopt(self.level, self.option)  # type: ignore[return-value]


class ReadOnlyIntOption(_Option[int]):
    """An int option that can only be read."""


class IntOption(_Option[int]):

    def __set__(self, obj: "Socket", value: int) -> None:
        obj.setsockopt(self.level, self.option, value)


class StrOption(_Option[str]):

    def __set__(self, obj: "Socket", value: str) -> None:
        obj.setsockopt(self.level, self.option, value)


def sock_int(option: int, doc: str) -> IntOption:
    return IntOption(_c.SOL_SOCKET, option, doc)


# The attributes Socket(...) takes as keywords, in the order they are set.
SETTABLE = (
    "linger", "sndbuf", "rcvbuf", "rcvmaxsize", "sndtimeo", "rcvtimeo",
    "reconnect_ivl", "reconnect_ivl_max", "sndprio", "rcvprio", "ipv4only",
    "maxttl", "name", "req_resend_ivl", "surveyor_deadline", "tcp_nodelay",
    "ws_msg_type", "ipc_outbufsz", "ipc_inbufsz",
)


def _names() -> "dict[tuple[int, int], str]":
    names = {(_c.IPC, IPC_OUTBUFSZ): "IPC_OUTBUFSZ", (_c.IPC, IPC_INBUFSZ): "IPC_INBUFSZ"}
    for sym in _c.symbols:
        short = sym.name[3:] if sym.name.startswith("NN_") else sym.name
        if sym.ns == _c.NS_SOCKET_OPTION:
            names[(_c.SOL_SOCKET, sym.value)] = short
    for level, prefix in ((_c.SUB, "SUB_"), (_c.REQ, "REQ_"), (_c.SURVEYOR, "SURVEYOR_"),
                          (_c.TCP, "TCP_"), (_c.WS, "WS_")):
        for sym in _c.symbols:
            if sym.ns == _c.NS_TRANSPORT_OPTION and sym.name.startswith("NN_" + prefix):
                names[(level, sym.value)] = sym.name[3:]
    return names


_NAMES = _names()


def option_name(level: int, option: int) -> str:
    """``RCVBUF``, ``TCP_NODELAY``...; ``level/option`` numbers if unknown."""
    return _NAMES.get((level, option), "%d/%d" % (level, option))
