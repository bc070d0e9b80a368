"""``nnpy.device`` (nn_device) and ``nnpy.term`` (nn_term)."""
from __future__ import annotations

import threading
from typing import Dict, NoReturn, Union

from . import constants as _c
from ._nnpy import ffi, lib
from .errors import error_for
from .socket import Socket

__all__ = ["device", "term"]


def _number(s: Union[Socket, int]) -> int:
    return s if isinstance(s, int) else s.sock


def _two_way(n1: int, n2: int) -> bool:
    """Whether nn_device would forward both ways (and so run a second thread)."""
    if n1 < 0 or n2 < 0:
        return False
    one_way = {_c.PUSH, _c.PULL, _c.PUB, _c.SUB}
    return _protocol(n1) not in one_way and _protocol(n2) not in one_way


def _protocol(n: int) -> int:
    value = ffi.new("int *")
    size = ffi.new("size_t *", ffi.sizeof("int"))
    if lib.nn_getsockopt(n, _c.SOL_SOCKET, _c.PROTOCOL, value, size) < 0:
        return -1
    return int(value[0])


def device(s1: Union[Socket, int], s2: Union[Socket, int]) -> NoReturn:
    """Forward messages between two raw sockets until one of them fails.

    ``s2`` may be -1 to loop ``s1`` back into itself. It never returns:
    closing its sockets (from another thread) or :func:`term` ends it with
    :class:`BadSocketError` (EBADF), a bad pair of sockets with
    :class:`InvalidArgumentError`. As in libnanomsg, each direction ends
    when its receiving socket fails: a one-way device (PUSH/PULL, PUB/SUB)
    ends when either socket closes, a two-way one when both have. The GIL is released meanwhile, and
    Ctrl-C raises KeyboardInterrupt here. A one-way device just stops
    then; a two-way one (REQ/REP, PAIR, BUS, SURVEYOR/RESPONDENT) can only
    be stopped by closing its sockets, so the interrupt closes both.
    """
    n1, n2 = _number(s1), _number(s2)
    if not _two_way(n1, n2):
        while True:
            lib.nn_device(n1, n2)
            err = lib.nn_errno()
            if err != _c.EINTR:         # EINTR: the signal handlers ran; go on
                raise error_for(err, "device(%d, %d)" % (n1, n2))
    # Two-way: the core joins its second direction before returning, which
    # a signal does not interrupt; so it runs on a thread of its own and
    # this one waits where Ctrl-C can reach it.
    result: Dict[str, int] = {}

    def run() -> None:
        while True:
            lib.nn_device(n1, n2)
            err = lib.nn_errno()
            if err != _c.EINTR:
                result["err"] = err
                return

    worker = threading.Thread(target=run, name="nnpy.device", daemon=True)
    worker.start()
    try:
        worker.join()
    except BaseException:
        for s, n in ((s1, n1), (s2, n2)):
            if isinstance(s, Socket):
                s.close()
            else:
                lib.nn_close(n)
        worker.join(5)
        raise
    raise error_for(result.get("err", _c.EBADF), "device(%d, %d)" % (n1, n2))


def term() -> None:
    """nn_term: close every socket; blocked calls fail with EBADF and new
    sockets cannot be made (ETERM) for the rest of the process."""
    lib.nn_term()
