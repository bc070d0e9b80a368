"""Every code block of README.md and docs/**/*.md runs, and prints what it says.

The conventions for writers are in tests/docblocks.py (and docs/writing.md).
Each block runs in a fresh process with the installed nnpy, from a scratch
directory, with a timeout: a block that hangs fails.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

import docblocks
from docblocks import ROOT, Block, Unit

PY_TIMEOUT = 60
SH_TIMEOUT = 400

# The pages are the source tree's; the wheel runs (scripts/test-wheels.sh)
# copy only tests/ and deselect source_tree.
pytestmark = [pytest.mark.timeout(SH_TIMEOUT + 60), pytest.mark.source_tree]

PRINT_COMMENT = re.compile(r"^\s*print\(.*\)\s*#\s?(.*?)\s*$")
PORTED = re.compile(r"((?:tcp|ws)://[^\s/\"':;]*(?:;[^\s/\"':]*)?):(\d{4,5})")
IPC_TMP = re.compile(r"(ipc://)/tmp/")


def _all_units() -> List[Unit]:
    found = []
    for page in docblocks.pages():
        found += docblocks.units(page)
    return found


UNITS = _all_units()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def localize(text: str, ports: Dict[str, int], scratch: Path) -> str:
    """The page's fixed ports and /tmp paths, made private to this run."""
    def port(m: "re.Match[str]") -> str:
        if int(m.group(2)) > 65535:
            return m.group(0)  # an invalid port, shown on purpose
        ports.setdefault(m.group(2), free_port())
        return "%s:%d" % (m.group(1), ports[m.group(2)])

    text = PORTED.sub(port, text)
    return IPC_TMP.sub(lambda m: "%s%s/" % (m.group(1), scratch), text)


def said(block: Block) -> List[str]:
    """What the block's print lines say they print, in order."""
    return [m.group(1) for m in map(PRINT_COMMENT.match, block.text.splitlines()) if m]


SH_COMMENT = re.compile(r"^\./\S+.*?\s#\s?(.*?)\s*$")


def said_sh(block: Block) -> List[str]:
    """What the programs a shell block runs (``./prog  # hello``) print."""
    return [m.group(1) for m in map(SH_COMMENT.match, block.text.splitlines()) if m]


def check_output(block: Block, proc: "subprocess.CompletedProcess[str]") -> None:
    assert proc.returncode == 0, "%s failed (exit %s):\n%s%s" % (
        block.where, proc.returncode, proc.stdout, proc.stderr)
    printed = proc.stdout.splitlines()
    assert printed == said(block), (
        "%s printed %r but its comments say %r" % (block.where, printed, said(block)))


def env() -> Dict[str, str]:
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)  # the installed nnpy, as a reader would
    e["PYTHONUNBUFFERED"] = "1"
    # `python` in a shell block is the interpreter running the tests.
    e["PATH"] = os.path.dirname(sys.executable) + os.pathsep + e.get("PATH", "")
    return e


def run_script(block: Block, scratch: Path) -> None:
    src = scratch / "block.py"
    src.write_text(localize(block.text, {}, scratch))
    proc = subprocess.run([sys.executable, str(src)], cwd=scratch, env=env(),
                          capture_output=True, text=True, timeout=PY_TIMEOUT)
    check_output(block, proc)


def run_doctest(block: Block, scratch: Path) -> None:
    src = scratch / "session.txt"
    src.write_text(localize(block.text, {}, scratch))
    # The flags Sphinx's doctest builder uses by default.
    proc = subprocess.run(
        [sys.executable, "-m", "doctest", "-o", "ELLIPSIS", "-o", "IGNORE_EXCEPTION_DETAIL",
         str(src)], cwd=scratch, env=env(), capture_output=True, text=True,
        timeout=PY_TIMEOUT)
    assert proc.returncode == 0 and not proc.stdout.strip(), "%s:\n%s%s" % (
        block.where, proc.stdout, proc.stderr)


def run_programs(blocks: List[Block], scratch: Path) -> None:
    ports: Dict[str, int] = {}
    procs = []
    for b in blocks:
        src = scratch / (b.filename or "prog.py")
        src.write_text(localize(b.text, ports, scratch))
        procs.append(subprocess.Popen(
            [sys.executable, str(src)], cwd=scratch, env=env(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    results = []
    try:
        for b, p in zip(blocks, procs):
            out, err = p.communicate(timeout=PY_TIMEOUT)
            results.append((b, subprocess.CompletedProcess(p.args, p.returncode, out, err)))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for b, proc in results:
        check_output(b, proc)


def run_sh(unit: Unit, scratch: Path) -> None:
    (scratch / "vendor").symlink_to(ROOT / "vendor", target_is_directory=True)
    ports: Dict[str, int] = {}
    for f in unit.files:
        (scratch / f.filename).write_text(localize(f.text, ports, scratch))  # type: ignore[operator]
    block = unit.blocks[0]
    script = localize(block.text, ports, scratch)
    shell_env = env()
    # The pages show the default build; a run of the suite against the
    # portable build (CI) must not send `make` to another directory.
    shell_env.pop("NN_PORTABLE", None)
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=scratch,
                          env=shell_env, capture_output=True, text=True, timeout=SH_TIMEOUT)
    assert proc.returncode == 0, "%s failed (exit %s):\n%s%s" % (
        block.where, proc.returncode, proc.stdout, proc.stderr)
    # Build tools print too: the programs' lines must appear, in order.
    printed = iter(proc.stdout.splitlines())
    for wanted in said_sh(block):
        assert any(line == wanted for line in printed), (
            "%s: no line %r (in order) in its output:\n%s" % (block.where, wanted, proc.stdout))


def check_excerpt(block: Block) -> None:
    source = ROOT / block.marker_arg
    assert source.is_file(), "%s quotes %s, which does not exist" % (block.where, source)
    assert block.text.strip() in source.read_text(), (
        "%s is not a verbatim excerpt of %s" % (block.where, block.marker_arg))


@pytest.mark.parametrize("unit", UNITS, ids=[u.where for u in UNITS])
def test_block_runs(unit: Unit, tmp_path: Path) -> None:
    if unit.kind == "bad":
        b = unit.blocks[0]
        pytest.fail("%s: a ```%s block that nothing runs (python blocks always run; "
                    "mark others <!-- norun: why --> or <!-- excerpt: path -->)"
                    % (b.where, b.lang))
    elif unit.kind == "script":
        run_script(unit.blocks[0], tmp_path)
    elif unit.kind == "doctest":
        run_doctest(unit.blocks[0], tmp_path)
    elif unit.kind == "programs":
        run_programs(unit.blocks, tmp_path)
    elif unit.kind == "sh":
        run_sh(unit, tmp_path)
    elif unit.kind == "excerpt":
        check_excerpt(unit.blocks[0])
    else:
        pytest.fail("unknown unit kind %r" % unit.kind)


def test_conventions_hold() -> None:
    """The runner itself: the README is found, blocks are classified."""
    kinds = {u.kind for u in UNITS}
    assert "script" in kinds and "programs" in kinds
    readme = [u for u in UNITS if u.blocks[0].path.name == "README.md"]
    assert len(readme) >= 5
    sample = Block(ROOT / "README.md", 1, "python",
                   "print(1)  # 1\nx = 2  # not a print\nprint('a # b')  # a # b\n")
    assert said(sample) == ["1", "a # b"]
    ports: Dict[str, int] = {}
    moved = localize("tcp://localhost:18913 ws://*:18913/x ipc:///tmp/a.ipc tcp://h:99999",
                     ports, Path("/scratch"))
    p = ports["18913"]
    assert moved == "tcp://localhost:%d ws://*:%d/x ipc:///scratch/a.ipc tcp://h:99999" % (p, p)


def test_readme_links_to_docs_exist() -> None:
    """Sphinx checks the links between pages; the README's are checked here."""
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(((?:docs|examples)/[^)#\s]+)(?:#[^)]*)?\)", readme)
    assert targets, "the README links no page of the docs"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, "README links to missing files: %s" % missing
