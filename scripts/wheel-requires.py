#!/usr/bin/env python3
"""Prints, one per line, what a wheel needs installed to run with the given
extras: its Requires-Dist entries without the extra markers.

    python scripts/wheel-requires.py WHEEL [EXTRA...]

The wheel tests install these from the index first, then nnpy itself with
--no-index from the wheelhouse, so nnpy can only come from there.
"""
import re
import sys
import zipfile


def requires(path, extras):
    with zipfile.ZipFile(path) as wheel:
        meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        text = wheel.read(meta).decode()
    out = []
    for line in re.findall(r"^Requires-Dist: (.+)$", text, re.M):
        req, _, marker = line.partition(";")
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if extra is None or extra.group(1) in extras:
            out.append(req.strip())
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("\n".join(requires(sys.argv[1], set(sys.argv[2:]))))
