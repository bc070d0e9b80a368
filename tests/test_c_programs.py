"""The C programs of tests/c, built against the vendored headers and
libnanomsg.a (``make -C vendor/nanomsg test-programs``), each run here."""
import glob
import os
import shutil
import subprocess

import pytest

from util import require

# Builds tests/c against the source tree; not run against an installed wheel.
pytestmark = pytest.mark.source_tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(ROOT, "vendor", "nanomsg")
PROGRAMS = sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(ROOT, "tests", "c", "*.c")))


@pytest.fixture(scope="module")
def built():
    require(shutil.which("make") and (shutil.which("cc") or shutil.which("gcc")),
            "make and a C compiler are needed to build tests/c")
    r = subprocess.run(["make", "-C", CORE, "test-programs"], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, "make test-programs failed:\n%s\n%s" % (r.stdout[-4000:],
                                                                     r.stderr[-4000:])
    # NN_PORTABLE=1 in the environment: make builds the portable path, into
    # its own directory (vendor/nanomsg/Makefile).
    portable = os.environ.get("NN_PORTABLE", "") == "1"
    return os.path.join(CORE, "build-portable" if portable else "build", "tests")


def test_there_are_c_tests():
    assert PROGRAMS, "tests/c holds no C test"


@pytest.mark.parametrize("name", PROGRAMS)
def test_c_program(built, name, tmp_path):
    exe = os.path.join(built, name)
    assert os.access(exe, os.X_OK), "%s was not built" % exe
    r = subprocess.run([exe], capture_output=True, text=True, timeout=90, cwd=str(tmp_path))
    assert r.returncode == 0, "%s exited %d\nstdout:\n%s\nstderr:\n%s" % (
        name, r.returncode, r.stdout[-4000:], r.stderr[-4000:])
