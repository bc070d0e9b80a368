"""``PollSet``: wait until any of several sockets can send or receive."""
from __future__ import annotations

import time
from typing import List, Tuple, Union

from . import constants as _c
from ._nnpy import ffi, lib
from .errors import error_for
from .socket import Socket

__all__ = ["PollSet"]


class PollSet:
    """``PollSet((sock1, POLLIN), (sock2, POLLIN | POLLOUT))``.

    A socket may be given as a :class:`Socket` or as its C number.
    """

    def __init__(self, *pairs: Tuple[Union[Socket, int], int]) -> None:
        self._n = len(pairs)
        self.data = ffi.new("struct nn_pollfd[]", max(1, self._n))
        for i, (sock, events) in enumerate(pairs):
            self.data[i].fd = sock if isinstance(sock, int) else sock.sock
            self.data[i].events = events

    def poll(self, timeout: int = 0) -> List[int]:
        """Wait up to ``timeout`` ms (negative: forever); returns the revents.

        One entry per socket, in order, 0 where nothing is ready (also on a
        timeout: unlike bare ``nn_poll`` no stale value is left over).
        """
        data, n = self.data, self._n
        deadline = None if timeout < 0 else time.monotonic() + timeout / 1000.0
        while True:
            for i in range(n):
                data[i].revents = 0
            rc = lib.nn_poll(data, n, timeout)
            if rc >= 0:
                return [data[i].revents for i in range(n)]
            err = lib.nn_errno()
            if err != _c.EINTR:
                raise error_for(err)
            # Python ran its signal handlers on the way back here; wait for
            # what is left of the timeout.
            if deadline is not None:
                timeout = max(0, int((deadline - time.monotonic()) * 1000.0))
