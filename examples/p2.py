"""The connecting half of the two-process PAIR slide; run p1.py next to it.

    python examples/p2.py [ADDRESS]        default tcp://localhost:18913

connect returns at once and retries in the background, so p2 may start
before p1.
"""
import sys

import nnpy


def main(address: str = "tcp://localhost:18913") -> None:
    p2 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    p2.rcvtimeo = 10000
    p2.connect(address)
    p2.send(b"hello from p2")
    print(p2.recv())
    p2.send(b"thanks")
    p2.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
