"""Interop tests: nnpy against the real libnanomsg 1.1.5 (Debian libnanomsg5),
nanocat, and a C program built on our vendored core.

The reference library is only ever loaded by child processes (refpeer.py,
nanocat); this process loads nnpy's own core and nothing else.
"""
