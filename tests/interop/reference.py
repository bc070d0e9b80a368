"""Finding the reference libnanomsg and nanocat, and what to do without them.

Outside CI a missing reference skips the interop tests with the reason;
with NNPY_REQUIRE_REFERENCE=1 (or CI set) it fails them instead, so CI
never goes green by skipping.

The library is located but never loaded here: only child processes load it.
"""
import glob
import os
import re
import shutil
import subprocess
from typing import Optional

import pytest

INSTALL_HINT = "apt-get install libnanomsg5 nanomsg-utils"
SONAME = "libnanomsg.so.5"
# Where our own build puts a library of the same soname; never the reference.
OURS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def required() -> bool:
    return (os.environ.get("NNPY_REQUIRE_REFERENCE", "") not in ("", "0")
            or bool(os.environ.get("CI")))


def _is_reference(path: str) -> bool:
    real = os.path.realpath(path)
    return os.path.isfile(real) and not real.startswith(OURS + os.sep)


def _from_ldconfig() -> list:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r"^\s*%s \(.*\) => (\S+)$" % re.escape(SONAME), out, re.M)


def library() -> Optional[str]:
    """Absolute path of the reference libnanomsg.so.5, or None.

    NNPY_REFERENCE_LIB overrides the search. The soname is searched by
    path (not loaded by name), so an LD_LIBRARY_PATH pointing at our own
    build can never substitute it.
    """
    forced = os.environ.get("NNPY_REFERENCE_LIB")
    if forced:
        return forced if os.path.isfile(forced) else None
    candidates = _from_ldconfig()
    for pattern in ("/usr/lib/*-linux-gnu*/", "/usr/lib64/", "/usr/lib/",
                    "/usr/local/lib/", "/usr/local/lib/*-linux-gnu*/"):
        candidates += glob.glob(pattern + SONAME)
    for path in candidates:
        if _is_reference(path):
            return os.path.realpath(path)
    return None


def nanocat() -> Optional[str]:
    return shutil.which("nanocat")


def need(found: Optional[str], what: str) -> str:
    """Return ``found``, or skip/fail the test with a clear reason."""
    if found:
        return found
    why = "%s not found (install it with: %s)" % (what, INSTALL_HINT)
    if required():
        pytest.fail("reference libnanomsg required under CI: " + why)
    pytest.skip(why)
