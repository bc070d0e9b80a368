"""The binding half of the two-process PAIR slide; run p2.py next to it.

    python examples/p1.py [ADDRESS]        default tcp://localhost:18913
"""
import sys

import nnpy


def main(address: str = "tcp://localhost:18913") -> None:
    p1 = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    p1.rcvtimeo = 10000
    p1.bind(address)
    print(p1.recv())
    p1.send(b"hello from p1")
    # Closing now could drop the reply before it is written: wait for p2
    # to say it has it (or give up after a while).
    p1.rcvtimeo = 2000
    try:
        p1.recv()
    except TimeoutError:
        pass
    p1.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
