"""nnpy: Python bindings for nanomsg, carrying their own C core.

The API is that of nnpy 1.x::

    import nnpy
    pub = nnpy.Socket(nnpy.AF_SP, nnpy.PUB)
    pub.bind("inproc://news")

Constants are the C names without the ``NN_`` prefix (``nnpy.PAIR``,
``nnpy.RCVTIMEO``, ``nnpy.EAGAIN``...), read from the core at import.
``nnpy.ffi`` and ``nnpy.nanomsg`` give the raw cffi module (every ``nn_*``
function of the C API).
"""
import importlib as _importlib

from ._version import __version__

try:
    for _ext in ("._nnpy", "._speedups"):
        _importlib.import_module(_ext, __name__)
except ModuleNotFoundError as _exc:
    # A source tree on sys.path whose extensions were never built: say how
    # to build them rather than leave a bare "No module named nnpy._nnpy".
    if _exc.name not in (__name__ + "._nnpy", __name__ + "._speedups"):
        raise
    raise ImportError(
        "nnpy's compiled extension %s is missing from %s (or was built for "
        "another Python): this is a source tree that was not built. Install nnpy with `pip install .` (or "
        "`pip install -e .` to develop in this tree); both need a C compiler. "
        "If nnpy is already installed, run Python from outside this "
        "directory so the installed copy is imported."
        % (_exc.name, __path__[0]), name=_exc.name) from None
del _ext

from ._nnpy import ffi
from ._nnpy import lib as nanomsg
from .constants import *  # noqa: F401,F403  (the 121 constants)
from . import constants
from .errors import (  # noqa: F401
    AddressFamilyNotSupportedError, AddressInUseError, BadSocketError,
    InterruptedCallError, InvalidArgumentError, NameTooLongError, NNError,
    NoProtocolOptionError, NotSupportedError, ProtocolNotSupportedError,
    StateError, TerminatedError, TimedOutError, WouldBlockError,
)
from .poll import PollSet
from .socket import NN_MSG, Message, Socket
from ._device import device, term

__all__ = [
    "Socket", "Message", "PollSet", "device", "term", "NNError", "NN_MSG", "ffi", "nanomsg", "__version__",
    "AddressFamilyNotSupportedError", "AddressInUseError", "BadSocketError",
    "InterruptedCallError", "InvalidArgumentError", "NameTooLongError",
    "NoProtocolOptionError", "NotSupportedError", "ProtocolNotSupportedError",
    "StateError", "TerminatedError", "TimedOutError", "WouldBlockError",
]
__all__ += constants.__all__
