"""Sphinx configuration for the nnpy documentation.

Pages are MyST Markdown so they read the same on GitHub.  A ```python
block made of ``>>>`` lines is turned into a doctest block here, so
``sphinx-build -b doctest`` checks it; every other block is run by
tests/test_docs_examples.py.
"""
from __future__ import annotations

from docutils import nodes

project = "nnpy"
author = "the nnpy authors"
copyright = "the nnpy authors"
try:
    from nnpy import __version__ as release
except ImportError:  # building from a tree where nnpy is not installed
    release = "2.0.0"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "furo"
html_title = "nnpy %s" % release
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# autodoc imports the installed nnpy (its compiled core is not in the
# source tree), so the source tree is deliberately not put on sys.path.


def _doctest_blocks(app, doctree) -> None:
    # MyST renders ```python as a literal block; those that are an
    # interactive session become doctest blocks, which the doctest builder
    # runs (in one namespace per page) and the HTML builder shows as before.
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        if block.get("language") in ("python", "pycon") and text.lstrip().startswith(">>>"):
            block.replace_self(nodes.doctest_block(text, text))


def setup(app):
    app.connect("doctree-read", _doctest_blocks)
