"""The cffi declarations mirror the public headers."""
import glob
import os
import re
import runpy

import pytest

import nnpy
from util import ffi, lib

# Reads the headers and build_ffi.py of the source tree.
pytestmark = pytest.mark.source_tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "vendor", "nanomsg", "include", "nanomsg")
HEADERS = sorted(glob.glob(os.path.join(INCLUDE, "*.h")))


def exported_functions(text):
    """Names of the functions declared with NN_EXPORT in a header."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith("#"))
    names = []
    for decl in re.findall(r"\bNN_EXPORT\b([^;{]*);", text):
        m = re.search(r"(\w+)\s*\(", decl)
        assert m, "cannot parse NN_EXPORT declaration: %r" % decl
        names.append(m.group(1))
    return names


def cdef_functions():
    """Names of the functions (and macros) declared in build_ffi.CDEF."""
    cdef = runpy.run_path(os.path.join(ROOT, "build_ffi.py"), run_name="cdef_check")["CDEF"]
    cdef = re.sub(r"/\*.*?\*/", " ", cdef, flags=re.S)
    return set(re.findall(r"(\w+)\s*\(", cdef))


def test_headers_are_there():
    names = {os.path.basename(h) for h in HEADERS}
    assert names >= {"nn.h", "pair.h", "reqrep.h", "pubsub.h", "pipeline.h", "survey.h",
                     "bus.h", "inproc.h", "ipc.h", "tcp.h", "ws.h"}


def test_parser_finds_the_known_api():
    with open(os.path.join(INCLUDE, "nn.h")) as f:
        found = set(exported_functions(f.read()))
    assert {"nn_socket", "nn_send", "nn_recv", "nn_get_statistic", "nn_cmsg_nxthdr_"} <= found


@pytest.mark.parametrize("header", HEADERS, ids=os.path.basename)
def test_every_exported_function_is_declared(header):
    declared = cdef_functions()
    with open(header) as f:
        exported = exported_functions(f.read())
    missing = [n for n in exported if n not in declared]
    assert not missing, "%s: NN_EXPORT functions missing from build_ffi.CDEF: %s" % (
        os.path.basename(header), missing)
    absent = [n for n in exported if not hasattr(lib, n)]
    assert not absent, "not in the built extension (reinstall?): %s" % absent


def test_build_lists_every_source():
    ns = runpy.run_path(os.path.join(ROOT, "build_ffi.py"), run_name="cdef_check")
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        listed = {os.path.normpath(p) for p in ns["core_sources"]()}
    finally:
        os.chdir(cwd)
    on_disk = {os.path.relpath(p, ROOT) for p in
               glob.glob(os.path.join(ROOT, "vendor/nanomsg/src/**/*.c"), recursive=True)}
    assert on_disk and listed == on_disk


# API.md §3 (LP64)
@pytest.mark.skipif(ffi.sizeof("void *") != 8, reason="LP64 layout")
def test_struct_layouts():
    assert ffi.sizeof("struct nn_iovec") == 16
    assert ffi.offsetof("struct nn_iovec", "iov_len") == 8
    assert ffi.sizeof("struct nn_msghdr") == 32
    assert [ffi.offsetof("struct nn_msghdr", f) for f in
            ("msg_iov", "msg_iovlen", "msg_control", "msg_controllen")] == [0, 8, 16, 24]
    assert ffi.sizeof("struct nn_cmsghdr") == 16
    assert [ffi.offsetof("struct nn_cmsghdr", f) for f in
            ("cmsg_len", "cmsg_level", "cmsg_type")] == [0, 8, 12]
    assert ffi.sizeof("struct nn_pollfd") == 8
    assert ffi.sizeof("struct nn_symbol_properties") == 32
    assert [ffi.offsetof("struct nn_symbol_properties", f) for f in
            ("value", "name", "ns", "type", "unit")] == [0, 8, 16, 20, 24]
    assert ffi.sizeof("nn_req_handle") == 8


def test_nn_msg():
    assert lib.NN_MSG == 2 ** 64 - 1 == nnpy.NN_MSG


@pytest.mark.skipif(ffi.sizeof("size_t") != 8, reason="LP64 values")
def test_cmsg_macros():
    assert lib.NN_CMSG_SPACE(0) == 16
    assert lib.NN_CMSG_SPACE(1) == 24
    assert lib.NN_CMSG_SPACE(8) == 24
    assert lib.NN_CMSG_LEN(1) == 17
    buf = ffi.new("char[]", 64)
    hdr = ffi.new("struct nn_msghdr *")
    hdr.msg_control = buf
    hdr.msg_controllen = 64
    first = lib.NN_CMSG_FIRSTHDR(hdr)
    assert first == ffi.cast("struct nn_cmsghdr *", buf)
    assert lib.NN_CMSG_DATA(first) == ffi.cast("unsigned char *", buf) + 16
    first.cmsg_len = lib.NN_CMSG_SPACE(8)           # 24
    second = lib.NN_CMSG_NXTHDR(hdr, first)
    assert second == ffi.cast("struct nn_cmsghdr *", buf + 24)
    second.cmsg_len = lib.NN_CMSG_SPACE(24)         # 40: ends exactly at 64
    assert lib.NN_CMSG_NXTHDR(hdr, second) == ffi.NULL
    second.cmsg_len = lib.NN_CMSG_SPACE(32)         # overruns the buffer
    assert lib.NN_CMSG_NXTHDR(hdr, first) == ffi.NULL
    hdr.msg_controllen = 8                          # below SPACE(0)
    assert lib.NN_CMSG_FIRSTHDR(hdr) == ffi.NULL
    assert lib.nn_cmsg_nxthdr_(ffi.NULL, ffi.NULL) == ffi.NULL


def test_type_stub_matches_cdef():
    declared = cdef_functions()
    stub_path = os.path.join(os.path.dirname(nnpy.__file__), "_nnpy.pyi")
    assert os.path.exists(stub_path), "nnpy/_nnpy.pyi is not installed"
    with open(stub_path) as f:
        stubbed = set(re.findall(r"def (\w+)\(", f.read()))
    assert stubbed == declared


def test_checker_catches_a_new_export():
    # The header parser sees multi-line and pointer-returning declarations,
    # and a function the cdef lacks is reported.
    text = ("/* NN_EXPORT int nn_in_comment (void); */\n"
            "#define NN_EXPORT extern\n"
            "NN_EXPORT const char *nn_brand_new (int a,\n    int b);\n"
            "NN_EXPORT int nn_socket (int domain, int protocol);\n")
    assert exported_functions(text) == ["nn_brand_new", "nn_socket"]
    assert "nn_brand_new" not in cdef_functions()
