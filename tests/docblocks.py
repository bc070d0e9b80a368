"""Find the code blocks of the Markdown docs and group them into runnable units.

The conventions a writer follows (docs/writing.md says the same):

* A ```python block whose first line starts with ``>>>`` is a doctest
  session: its output lines must match.
* Any other ```python block is a script, run alone in a fresh process.
  A ``print(...)`` line ending in a comment (``print(s.recv())  # b'hi'``)
  says what it prints: the script's output must be exactly those comments,
  in order.  A script that prints must say what.
* A block whose first line is a file name comment (``# p1.py``,
  ``// prog.c``, ``/* prog.c */``) is a file.  Consecutive ``.py`` files
  are programs that run together, one process each, started in the order
  shown.  ``.c`` files are written out for the ``sh`` blocks after them.
* ```sh blocks run with ``bash -e`` in a scratch directory where
  ``vendor/`` is the repository's, after the page's earlier files; a
  line ``./prog  # text`` says what ``prog`` prints.
* ``<!-- norun: why -->`` on the line before a ``sh`` block exempts it
  (an install command, say); python blocks cannot be exempted.
  ``<!-- excerpt: path -->`` before a block means it is quoted verbatim
  from that file of the repository (which a test runs).
* Ports in ``tcp://``/``ws://`` addresses and ``/tmp/`` in ``ipc://``
  addresses are replaced by free ports and a scratch directory when run,
  so pages may show memorable numbers.
* Other fences (``text``, ``console``, MyST directives like
  ``{toctree}``) are not code and are not run; a code language not
  listed here fails the test unless marked ``norun`` or ``excerpt``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(norun|excerpt)\s*:\s*(.*?)\s*-->\s*$")
FILENAME = re.compile(r"^\s*(?:#|//|/\*)\s*([\w.-]+\.(?:py|c|h))\s*(?:\*/)?\s*$")
NOT_CODE = {"text", "console", "output", "none", ""}
# Pages whose shell blocks are command lines for a person at several
# shells (servers that run until stopped): their python blocks still run.
SHELL_FOR_PEOPLE = {
    "docs/cli.md": "the CLI's command lines run in tests/test_cli*.py",
}
RUNNABLE = {"python", "sh", "c"}


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: Optional[str] = None  # "norun" or "excerpt"
    marker_arg: str = ""

    @property
    def where(self) -> str:
        return "%s:%d" % (self.path.relative_to(ROOT), self.line)

    @property
    def filename(self) -> Optional[str]:
        first = self.text.split("\n", 1)[0]
        m = FILENAME.match(first)
        return m.group(1) if m else None

    @property
    def is_doctest(self) -> bool:
        return self.lang == "python" and self.text.lstrip().startswith(">>>")


@dataclass
class Unit:
    """What one test runs: a block, or programs that run together."""

    kind: str  # "doctest", "script", "programs", "sh", "excerpt", "bad"
    blocks: List[Block]
    files: List[Block] = field(default_factory=list)  # .c files for sh

    @property
    def where(self) -> str:
        return self.blocks[0].where


def pages() -> List[Path]:
    """README.md and docs/**/*.md; none when the tests run from a copy
    without the source tree (the installed-wheel runs deselect them)."""
    found = [ROOT / "README.md"]
    found += sorted((ROOT / "docs").rglob("*.md"))
    return [p for p in found if "_build" not in p.parts and p.exists()]


def blocks(path: Path) -> List[Block]:
    lines = path.read_text(encoding="utf-8").split("\n")
    out: List[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        start = i
        body = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                      and lines[i].strip().strip(fence[0]) == ""):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        mk = MARKER.match(lines[prev]) if prev >= 0 else None
        out.append(Block(path, start + 1, lang, "\n".join(body) + "\n",
                         mk.group(1) if mk else None, mk.group(2) if mk else ""))
    return out


def units(path: Path) -> List[Unit]:
    shell_for_people = str(path.relative_to(ROOT)) in SHELL_FOR_PEOPLE
    out: List[Unit] = []
    files: List[Block] = []
    group: List[Block] = []

    def flush() -> None:
        if group:
            out.append(Unit("programs", list(group)))
            group.clear()

    for b in blocks(path):
        if b.lang.startswith("{") or b.lang in NOT_CODE:
            continue  # a MyST directive or an output listing
        if b.lang == "python" and b.marker == "norun":
            out.append(Unit("bad", [b]))
            continue
        name = b.filename
        if b.lang == "python" and name and name.endswith(".py") and not b.is_doctest:
            group.append(b)
            continue
        flush()
        if b.marker == "excerpt":
            out.append(Unit("excerpt", [b]))
        elif b.lang == "c" and name and b.marker is None:
            files.append(b)
        elif b.lang == "python":
            out.append(Unit("doctest" if b.is_doctest else "script", [b]))
        elif b.marker == "norun" or (shell_for_people and b.lang == "sh"):
            continue
        elif b.lang == "sh":
            out.append(Unit("sh", [b], list(files)))
        else:
            out.append(Unit("bad", [b]))
    flush()
    return out
