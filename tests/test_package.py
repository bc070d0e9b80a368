"""The package surface: nnpy 1.x names, version, typing marker, errors."""
import errno
import os
import pickle

import pytest

import nnpy
import nnpy.errors
import nnpy.socket


def test_version():
    assert isinstance(nnpy.__version__, str)
    assert nnpy.__version__.split(".")[0] == "2"
    try:
        from importlib.metadata import PackageNotFoundError, version
        assert version("nnpy") == nnpy.__version__
    except PackageNotFoundError:  # pragma: no cover - running from a bare build
        pass


def test_py_typed_marker_is_installed():
    assert os.path.exists(os.path.join(os.path.dirname(nnpy.__file__), "py.typed"))


def test_nnpy1_names():
    # Everything a nnpy 1.4.2 user reaches for.
    for name in ("Socket", "PollSet", "NNError", "ffi", "nanomsg"):
        assert hasattr(nnpy, name), name
    assert nnpy.socket.NN_MSG == 2 ** 64 - 1 == nnpy.NN_MSG
    assert nnpy.errors.NNError is nnpy.NNError
    assert callable(nnpy.errors.convert)
    assert callable(nnpy.nanomsg.nn_socket)
    assert nnpy.ffi.sizeof("struct nn_pollfd") == 8
    for name in ("AF_SP", "AF_SP_RAW", "PAIR", "SOL_SOCKET", "RCVTIMEO", "SUB_SUBSCRIBE",
                 "DONTWAIT", "POLLIN", "EAGAIN", "ETERM", "STAT_MESSAGES_SENT"):
        assert isinstance(getattr(nnpy, name), int), name


def test_all_lists_public_names():
    for name in nnpy.__all__:
        assert hasattr(nnpy, name), name


def test_convert():
    convert = nnpy.errors.convert
    assert convert(3) == 3
    assert convert(0, "x") == "x"
    assert convert(0, lambda: [1]) == [1]
    # A failing C call sets errno; convert turns it into the exception.
    rc = nnpy.nanomsg.nn_close(-1)
    with pytest.raises(nnpy.NNError) as info:
        convert(rc)
    assert info.value.error_no == errno.EBADF


def test_nnerror_api():
    e = nnpy.NNError(errno.EBADF, "Bad file descriptor")
    assert e.error_no == errno.EBADF == e.errno
    assert str(e) == "Bad file descriptor"
    assert isinstance(e, OSError)
    # msg defaults to nn_strerror
    assert str(nnpy.NNError(nnpy.ETERM)) == "Nanomsg library was terminated"
    assert str(nnpy.NNError(nnpy.EFSM)) == "Operation cannot be performed in this state"


@pytest.mark.parametrize("err, builtin", [
    (errno.ETIMEDOUT, TimeoutError),
    (errno.EAGAIN, BlockingIOError),
    (errno.EINTR, InterruptedError),
    (errno.EINVAL, ValueError),
    (errno.ECONNREFUSED, ConnectionRefusedError),
    (errno.ECONNRESET, ConnectionResetError),
    (errno.ENOMEM, MemoryError),
    (errno.ENOENT, FileNotFoundError),
    (errno.EACCES, PermissionError),
    (errno.ENAMETOOLONG, ValueError),
])
def test_error_subclasses_derive_from_builtins(err, builtin):
    e = nnpy.errors.error_for(err)
    assert isinstance(e, nnpy.NNError)
    assert isinstance(e, builtin)
    assert e.error_no == err
    # They pickle (e.g. across multiprocessing) as the same class.
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is type(e) and back.error_no == err and str(back) == str(e)


def test_error_classes_for_nanomsg_codes():
    assert type(nnpy.errors.error_for(nnpy.EFSM)) is nnpy.StateError
    assert type(nnpy.errors.error_for(nnpy.ETERM)) is nnpy.TerminatedError
    assert type(nnpy.errors.error_for(nnpy.EBADF)) is nnpy.BadSocketError
    assert type(nnpy.errors.error_for(nnpy.ENOTSUP)) is nnpy.NotSupportedError
    assert type(nnpy.errors.error_for(12345)) is nnpy.NNError
    # the module's fixed codes agree with the core's symbol table
    assert nnpy.errors._EFSM == nnpy.EFSM
    assert nnpy.errors._ETERM == nnpy.ETERM


def test_timeout_caught_both_ways(sock):
    s = sock(nnpy.PAIR, timeout=10)
    with pytest.raises(TimeoutError):
        s.recv()
    with pytest.raises(nnpy.NNError) as info:
        s.recv()
    assert info.value.error_no == nnpy.ETIMEDOUT
