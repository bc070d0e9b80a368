"""``python -m nnpy``: the nanocat-compatible command line (see nnpy.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m nnpy"))
