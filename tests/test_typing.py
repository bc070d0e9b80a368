"""`mypy --strict` passes on a user script that uses every documented call
(tests/typing/user_script.py), and the script runs."""
import os
import subprocess
import sys

import pytest

import nnpy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "typing", "user_script.py")


def _require_mypy():
    try:
        import mypy  # noqa: F401
    except ImportError:
        if os.environ.get("CI") or os.environ.get("NNPY_REQUIRE_REFERENCE"):
            pytest.fail("mypy is not installed (required in CI: pip install '.[test]')")
        pytest.skip("mypy is not installed (pip install '.[test]')")


def _mypy(target, tmp_path):
    """mypy --strict on ``target``, as a user would run it: from elsewhere,
    finding nnpy installed (PEP 561). An editable install hides the package
    from mypy; then the tree it was installed from is the search path."""
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
           "--cache-dir", str(tmp_path / "cache"), str(target)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=str(tmp_path))
    if 'module named "nnpy"' in out.stdout:
        src = os.path.dirname(os.path.dirname(os.path.abspath(nnpy.__file__)))
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=src,
                             env=dict(os.environ, MYPYPATH=src))
    return out


def test_mypy_strict_user_script(tmp_path):
    _require_mypy()
    out = _mypy(SCRIPT, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success" in out.stdout


def test_mypy_rejects_wrong_types(tmp_path):
    _require_mypy()
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import nnpy\n"
        "s = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimeo='x')\n"
        "s.rcvtimeo = 'slow'\n"
        "s.name = 5\n"
        "s.domain = 1\n"
        "s.send(3.5)\n"
        "t: str = s.rcvtimeo\n")
    out = _mypy(bad, tmp_path)
    lines = [ln for ln in out.stdout.splitlines() if "error:" in ln]
    assert sorted({ln.split(":")[1] for ln in lines}, key=int) == \
        ["2", "3", "4", "5", "6", "7"], out.stdout


def test_user_script_runs():
    out = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True,
                         timeout=60, cwd="/")
    assert out.returncode == 0, out.stderr
    assert "b'bytes'" in out.stdout and "b'one'" in out.stdout


