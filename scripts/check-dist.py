#!/usr/bin/env python3
"""What a user of an nnpy wheel or sdist relies on, checked on the file.

    python scripts/check-dist.py WHEEL_OR_SDIST...

Each wheel must be tagged cp39-abi3, carry only abi3 extension modules (no
module tied to one Python version), ship LICENSE, and declare the MIT
license expression and the version written in nnpy/_version.py. The sdist
must ship LICENSE, the same metadata, and every source file the build needs.
"""
import os
import re
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# What a build from the sdist reads, besides these directories' sources.
BUILD_FILES = ("LICENSE", "README.md", "pyproject.toml", "setup.py", "build_ffi.py")
SOURCE_DIRS = ("nnpy", "vendor/nanomsg/src", "vendor/nanomsg/include")
SOURCE_ENDINGS = (".c", ".h", ".py", ".pyi", "py.typed")


def source_version():
    text = open(os.path.join(ROOT, "nnpy", "_version.py")).read()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def needed_sources():
    found = list(BUILD_FILES)
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            found += [os.path.relpath(os.path.join(dirpath, f), ROOT)
                      for f in filenames if f.endswith(SOURCE_ENDINGS)]
    return found


def sdist_problems(path, version):
    found = []
    base = "nnpy-%s/" % version
    if os.path.basename(path) != "nnpy-%s.tar.gz" % version:
        found.append("name is not nnpy-%s.tar.gz" % version)
    with tarfile.open(path) as sdist:
        names = set(sdist.getnames())
        missing = [n for n in needed_sources() if base + n not in names]
        if missing:
            found.append("missing %s" % ", ".join(sorted(missing)))
        built = [n for n in names if n.endswith((".so", ".o", ".a", ".pyc"))]
        if built:
            found.append("holds build products %s" % ", ".join(sorted(built)))
        meta = sdist.extractfile(base + "PKG-INFO").read().decode()
    for line in ("License-Expression: MIT", "License-File: LICENSE", "Version: " + version):
        if "\n%s\n" % line not in meta:
            found.append("PKG-INFO has no %r" % line)
    return found


def problems(path, version):
    if path.endswith(".tar.gz"):
        return sdist_problems(path, version)
    name = os.path.basename(path)
    found = []
    if not re.match(r"nnpy-%s-cp39-abi3-\S+\.whl$" % re.escape(version), name):
        found.append("name is not nnpy-%s-cp39-abi3-<platform>.whl" % version)
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist = "nnpy-%s.dist-info/" % version
        modules = [n for n in names if n.endswith(".so")]
        # Every extension must be an abi3 one, or the wheel's tag lies.
        tied = [n for n in modules if not n.endswith(".abi3.so")]
        if tied:
            found.append("extension modules tied to one Python: %s" % tied)
        for needed in ("nnpy/_nnpy.abi3.so", "nnpy/_speedups.abi3.so"):
            if needed not in modules:
                found.append("no %s" % needed)
        sources = [n for n in names if n.endswith((".c", ".h", ".o"))]
        if sources:
            found.append("holds build inputs %s" % sources)
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
