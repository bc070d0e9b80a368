"""Importing nnpy from a source tree whose extensions were never built says
how to build them."""
import os
import shutil
import subprocess
import sys

import _cffi_backend

import nnpy

PACKAGE = os.path.dirname(os.path.abspath(nnpy.__file__))


def _unbuilt_tree(tmp_path):
    """A copy of the package's Python files only, as a fresh checkout has."""
    dest = tmp_path / "nnpy"
    dest.mkdir()
    for name in os.listdir(PACKAGE):
        if name.endswith(".py"):
            shutil.copy(os.path.join(PACKAGE, name), str(dest / name))
    return dest


def _import_from(cwd):
    # -c puts the current directory first on sys.path, as in a checkout. -S
    # skips the .pth files, so an editable install's finder cannot supply the
    # extensions from the real tree; cffi's backend stays reachable.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(_cffi_backend.__file__))
    return subprocess.run([sys.executable, "-S", "-c", "import nnpy"], cwd=str(cwd),
                          capture_output=True, text=True, timeout=60, env=env)


def test_missing_extension_says_how_to_build(tmp_path):
    tree = _unbuilt_tree(tmp_path)
    r = _import_from(tmp_path)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nnpy's compiled extension nnpy._nnpy is missing"), \
        r.stderr
    assert "`pip install .`" in last and "`pip install -e .`" in last
    assert str(tree) in last
    assert "ModuleNotFoundError" not in r.stderr    # raised "from None"


def test_missing_speedups_alone_is_reported(tmp_path):
    tree = _unbuilt_tree(tmp_path)
    built = os.path.dirname(nnpy._nnpy.__file__)
    so = os.path.basename(nnpy._nnpy.__file__)
    shutil.copy(os.path.join(built, so), str(tree / so))
    r = _import_from(tmp_path)
    assert r.returncode == 1
    assert "ImportError: nnpy's compiled extension nnpy._speedups is missing" in r.stderr


def test_other_missing_modules_are_not_masked(tmp_path):
    # Only the package's own extensions get the hint; a module missing for
    # another reason keeps its own error.
    tree = _unbuilt_tree(tmp_path)
    (tree / "_nnpy.py").write_text("import nnpy_test_no_such_module\n")
    r = _import_from(tmp_path)
    assert r.returncode == 1
    assert ("ModuleNotFoundError: No module named 'nnpy_test_no_such_module'"
            in r.stderr), r.stderr
    assert "pip install" not in r.stderr
