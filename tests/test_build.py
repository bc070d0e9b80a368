"""The extension carries the core itself and keeps its symbols to itself."""
import shutil
import subprocess

import pytest

import nnpy._nnpy
from util import run_python

SO = nnpy._nnpy.__file__


def test_extension_is_a_shared_object():
    assert SO.endswith(".so"), SO


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip("%s not installed" % name)
    return path


def test_no_nn_symbol_is_exported():
    out = subprocess.run([_tool("nm"), "-D", "--defined-only", SO], capture_output=True,
                         text=True, check=True).stdout
    exported = [line.split()[-1] for line in out.splitlines() if line.strip()]
    leaked = [s for s in exported if s.startswith("nn_") or s.startswith("NN_")]
    assert not leaked, "dynamically exported: %s" % leaked
    assert any(s.startswith("PyInit__nnpy") for s in exported)


def test_no_undefined_nn_symbol():
    # Nothing is left for the dynamic linker to find in some libnanomsg.
    out = subprocess.run([_tool("nm"), "-D", "--undefined-only", SO], capture_output=True,
                         text=True, check=True).stdout
    assert not [line for line in out.split() if line.startswith("nn_")]


def test_not_linked_to_libnanomsg():
    out = subprocess.run([_tool("readelf"), "-d", SO], capture_output=True, text=True,
                         check=True).stdout
    needed = [line for line in out.splitlines() if "(NEEDED)" in line]
    assert not [line for line in needed if "nanomsg" in line], needed


def test_importing_loads_no_libnanomsg():
    code = ("import nnpy\n"
            "s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR); s.close()\n"
            "print(open('/proc/self/maps').read())\n")
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    assert "libnanomsg" not in r.stdout
