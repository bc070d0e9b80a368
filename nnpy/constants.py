"""The 121 nanomsg constants, read from the library's symbol table.

Names are the C names without the ``NN_`` prefix (``NN_PAIR`` -> ``PAIR``;
``AF_SP`` and the ``E*`` errno names keep theirs), as in nnpy 1.x.  Values
come from ``nn_symbol_info`` when this module is imported, so Python and the
compiled core can never disagree; nothing is generated at build time.  The
annotations below only tell type checkers the names exist.
"""
from __future__ import annotations

from typing import Dict, List, NamedTuple, Tuple

from ._nnpy import ffi, lib


class Symbol(NamedTuple):
    """One entry of the symbol table (see ``nn_symbol_info``)."""

    name: str      # C name, with its NN_ prefix
    value: int
    ns: int        # NN_NS_* namespace
    type: int      # NN_TYPE_*
    unit: int      # NN_UNIT_*


# The constants, by name; `from nnpy.constants import *` gives exactly these.
__all__ = [
    "NS_NAMESPACE", "NS_VERSION", "NS_DOMAIN", "NS_TRANSPORT", "NS_PROTOCOL",
    "NS_OPTION_LEVEL", "NS_SOCKET_OPTION", "NS_TRANSPORT_OPTION", "NS_OPTION_TYPE",
    "NS_OPTION_UNIT", "NS_FLAG", "NS_ERROR", "NS_LIMIT", "NS_EVENT", "NS_STATISTIC",
    "TYPE_NONE", "TYPE_INT", "TYPE_STR", "UNIT_NONE", "UNIT_BYTES", "UNIT_MILLISECONDS",
    "UNIT_PRIORITY", "UNIT_BOOLEAN", "UNIT_COUNTER", "UNIT_MESSAGES", "VERSION_CURRENT",
    "VERSION_REVISION", "VERSION_AGE", "AF_SP", "AF_SP_RAW", "INPROC", "IPC", "TCP", "WS",
    "PAIR", "PUB", "SUB", "REP", "REQ", "PUSH", "PULL", "SURVEYOR", "RESPONDENT", "BUS",
    "SOCKADDR_MAX", "SOL_SOCKET", "LINGER", "SNDBUF", "RCVBUF", "RCVMAXSIZE", "SNDTIMEO",
    "RCVTIMEO", "RECONNECT_IVL", "RECONNECT_IVL_MAX", "SNDPRIO", "RCVPRIO", "SNDFD",
    "RCVFD", "DOMAIN", "PROTOCOL", "IPV4ONLY", "SOCKET_NAME", "MAXTTL", "SUB_SUBSCRIBE",
    "SUB_UNSUBSCRIBE", "REQ_RESEND_IVL", "SURVEYOR_DEADLINE", "TCP_NODELAY", "WS_MSG_TYPE",
    "DONTWAIT", "WS_MSG_TYPE_TEXT", "WS_MSG_TYPE_BINARY", "POLLIN", "POLLOUT",
    "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EBADF", "ECONNREFUSED",
    "EFAULT", "EFSM", "EINPROGRESS", "EINTR", "EINVAL", "EMFILE", "ENAMETOOLONG",
    "ENETDOWN", "ENOBUFS", "ENODEV", "ENOMEM", "ENOPROTOOPT", "ENOTSOCK", "ENOTSUP",
    "EPROTO", "EPROTONOSUPPORT", "ETERM", "ETIMEDOUT", "EACCES", "ECONNABORTED",
    "ECONNRESET", "EHOSTUNREACH", "EMSGSIZE", "ENETRESET", "ENETUNREACH", "ENOTCONN",
    "STAT_ESTABLISHED_CONNECTIONS", "STAT_ACCEPTED_CONNECTIONS",
    "STAT_DROPPED_CONNECTIONS", "STAT_BROKEN_CONNECTIONS", "STAT_CONNECT_ERRORS",
    "STAT_BIND_ERRORS", "STAT_ACCEPT_ERRORS", "STAT_MESSAGES_SENT",
    "STAT_MESSAGES_RECEIVED", "STAT_BYTES_SENT", "STAT_BYTES_RECEIVED",
    "STAT_CURRENT_CONNECTIONS", "STAT_INPROGRESS_CONNECTIONS", "STAT_CURRENT_SND_PRIORITY",
    "STAT_CURRENT_EP_ERRORS",
]

# -- their types (values are assigned from the library below) ---------------
NS_NAMESPACE: int
NS_VERSION: int
NS_DOMAIN: int
NS_TRANSPORT: int
NS_PROTOCOL: int
NS_OPTION_LEVEL: int
NS_SOCKET_OPTION: int
NS_TRANSPORT_OPTION: int
NS_OPTION_TYPE: int
NS_OPTION_UNIT: int
NS_FLAG: int
NS_ERROR: int
NS_LIMIT: int
NS_EVENT: int
NS_STATISTIC: int
TYPE_NONE: int
TYPE_INT: int
TYPE_STR: int
UNIT_NONE: int
UNIT_BYTES: int
UNIT_MILLISECONDS: int
UNIT_PRIORITY: int
UNIT_BOOLEAN: int
UNIT_COUNTER: int
UNIT_MESSAGES: int
VERSION_CURRENT: int
VERSION_REVISION: int
VERSION_AGE: int
AF_SP: int
AF_SP_RAW: int
INPROC: int
IPC: int
TCP: int
WS: int
PAIR: int
PUB: int
SUB: int
REP: int
REQ: int
PUSH: int
PULL: int
SURVEYOR: int
RESPONDENT: int
BUS: int
SOCKADDR_MAX: int
SOL_SOCKET: int
LINGER: int
SNDBUF: int
RCVBUF: int
RCVMAXSIZE: int
SNDTIMEO: int
RCVTIMEO: int
RECONNECT_IVL: int
RECONNECT_IVL_MAX: int
SNDPRIO: int
RCVPRIO: int
SNDFD: int
RCVFD: int
DOMAIN: int
PROTOCOL: int
IPV4ONLY: int
SOCKET_NAME: int
MAXTTL: int
SUB_SUBSCRIBE: int
SUB_UNSUBSCRIBE: int
REQ_RESEND_IVL: int
SURVEYOR_DEADLINE: int
TCP_NODELAY: int
WS_MSG_TYPE: int
DONTWAIT: int
WS_MSG_TYPE_TEXT: int
WS_MSG_TYPE_BINARY: int
POLLIN: int
POLLOUT: int
EADDRINUSE: int
EADDRNOTAVAIL: int
EAFNOSUPPORT: int
EAGAIN: int
EBADF: int
ECONNREFUSED: int
EFAULT: int
EFSM: int
EINPROGRESS: int
EINTR: int
EINVAL: int
EMFILE: int
ENAMETOOLONG: int
ENETDOWN: int
ENOBUFS: int
ENODEV: int
ENOMEM: int
ENOPROTOOPT: int
ENOTSOCK: int
ENOTSUP: int
EPROTO: int
EPROTONOSUPPORT: int
ETERM: int
ETIMEDOUT: int
EACCES: int
ECONNABORTED: int
ECONNRESET: int
EHOSTUNREACH: int
EMSGSIZE: int
ENETRESET: int
ENETUNREACH: int
ENOTCONN: int
STAT_ESTABLISHED_CONNECTIONS: int
STAT_ACCEPTED_CONNECTIONS: int
STAT_DROPPED_CONNECTIONS: int
STAT_BROKEN_CONNECTIONS: int
STAT_CONNECT_ERRORS: int
STAT_BIND_ERRORS: int
STAT_ACCEPT_ERRORS: int
STAT_MESSAGES_SENT: int
STAT_MESSAGES_RECEIVED: int
STAT_BYTES_SENT: int
STAT_BYTES_RECEIVED: int
STAT_CURRENT_CONNECTIONS: int
STAT_INPROGRESS_CONNECTIONS: int
STAT_CURRENT_SND_PRIORITY: int
STAT_CURRENT_EP_ERRORS: int
# ---------------------------------------------------------------------------


def _read_symbols() -> List[Symbol]:
    props = ffi.new("struct nn_symbol_properties *")
    size = ffi.sizeof("struct nn_symbol_properties")
    table = []
    # The table is small; the bound only guards against a broken core.
    for i in range(4096):
        if lib.nn_symbol_info(i, props, size) <= 0:
            break
        table.append(Symbol(ffi.string(props.name).decode("ascii"), props.value,
                            props.ns, props.type, props.unit))
    return table


def _py_name(c_name: str) -> str:
    return c_name[3:] if c_name.startswith("NN_") else c_name


symbols: Tuple[Symbol, ...] = tuple(_read_symbols())
values: Dict[str, int] = {_py_name(s.name): s.value for s in symbols}
_missing = [n for n in __all__ if n not in values]
if _missing:
    raise ImportError("nnpy: the compiled core's symbol table lacks %s" % ", ".join(_missing))
globals().update(values)


def _option_types() -> Dict[Tuple[int, int], int]:
    """(level, option) -> NN_TYPE_* for every option in the table.

    Socket options live at level SOL_SOCKET. Protocol and transport options
    (namespace TRANSPORT_OPTION) share small ids, so their level is found
    from the name: NN_SUB_SUBSCRIBE belongs to the level NN_SUB, and so on.
    """
    by_ns: Dict[int, List[Symbol]] = {}
    for s in symbols:
        by_ns.setdefault(s.ns, []).append(s)
    ns = values
    owners = sorted(by_ns.get(ns["NS_PROTOCOL"], []) + by_ns.get(ns["NS_TRANSPORT"], []),
                    key=lambda s: -len(s.name))
    types: Dict[Tuple[int, int], int] = {}
    for s in by_ns.get(ns["NS_SOCKET_OPTION"], []):
        types[(ns["SOL_SOCKET"], s.value)] = s.type
    for s in by_ns.get(ns["NS_TRANSPORT_OPTION"], []):
        for owner in owners:
            if s.name.startswith(owner.name + "_"):
                types[(owner.value, s.value)] = s.type
                break
    return types


_OPTION_TYPES = _option_types()
_TYPE_INT = values.get("TYPE_INT", 1)


def option_type(level: int, option: int) -> int:
    """NN_TYPE_* of an option; unknown options are taken as ints."""
    return _OPTION_TYPES.get((level, option), _TYPE_INT)
