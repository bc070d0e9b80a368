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

__version__ = "2.0.0"

__all__ = [
    "Socket", "Message", "PollSet", "device", "term", "NNError", "NN_MSG", "ffi", "nanomsg", "__version__",
    "AddressFamilyNotSupportedError", "AddressInUseError", "BadSocketError",
    "InterruptedCallError", "InvalidArgumentError", "NameTooLongError",
    "NoProtocolOptionError", "NotSupportedError", "ProtocolNotSupportedError",
    "StateError", "TerminatedError", "TimedOutError", "WouldBlockError",
]
__all__ += constants.__all__
