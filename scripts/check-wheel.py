#!/usr/bin/env python3
"""What a user of a built nnpy wheel relies on, checked on the file itself.

    python scripts/check-wheel.py WHEEL...

Each wheel must be tagged cp39-abi3, carry only abi3 extension modules (no
module tied to one Python version), ship LICENSE, and declare the MIT
license expression and the version written in nnpy/_version.py.
"""
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def source_version():
    text = open(os.path.join(HERE, "..", "nnpy", "_version.py")).read()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def problems(path, version):
    name = os.path.basename(path)
    found = []
    if not re.match(r"nnpy-%s-cp39-abi3-\S+\.whl$" % re.escape(version), name):
        found.append("name is not nnpy-%s-cp39-abi3-<platform>.whl" % version)
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist = "nnpy-%s.dist-info/" % version
        modules = [n for n in names if n.endswith(".so")]
        if sorted(modules) != ["nnpy/_nnpy.abi3.so", "nnpy/_speedups.abi3.so"]:
            found.append("extension modules are %s" % modules)
        if dist + "licenses/LICENSE" not in names:
            found.append("no %slicenses/LICENSE" % dist)
        meta = wheel.read(dist + "METADATA").decode()
        if "\nLicense-Expression: MIT\n" not in meta:
            found.append("METADATA has no License-Expression: MIT")
        if "\nLicense-File: LICENSE\n" not in meta:
            found.append("METADATA has no License-File: LICENSE")
        if "\nVersion: %s\n" % version not in meta:
            found.append("METADATA version is not %s" % version)
        tags = re.findall(r"^Tag: (\S+)$", wheel.read(dist + "WHEEL").decode(), re.M)
        if not tags or not all(t.startswith("cp39-abi3-") for t in tags):
            found.append("WHEEL tags are %s" % tags)
    return found


def main(paths):
    if not paths:
        sys.exit(__doc__)
    version = source_version()
    bad = 0
    for path in paths:
        found = problems(path, version)
        bad += bool(found)
        print("%s: %s" % (os.path.basename(path), "; ".join(found) or "ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
