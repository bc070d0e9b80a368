"""PAIR: two peers, both directions (the first slide).

    python examples/pair.py [ADDRESS]      default inproc://pair
"""
import sys

import nnpy


def main(address: str = "inproc://pair") -> None:
    s1 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    s1.bind(address)
    s2 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    s2.connect(address)
    s1.rcvtimeo = s2.rcvtimeo = 5000
    s1.send(b"hello")
    print(s2.recv())
    s2.send("world")  # a str is sent as UTF-8
    print(s1.recv())
    s1.close()
    s2.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
