"""REQ/REP: one request, one reply (the second slide).

    python examples/reqrep.py [ADDRESS]    default inproc://reqrep

The REP side binds; swapping bind and connect works the same.
"""
import sys

import nnpy


def main(address: str = "inproc://reqrep") -> None:
    rep = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
    rep.bind(address)
    req = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
    req.connect(address)
    rep.rcvtimeo = req.rcvtimeo = 5000
    req.send(b"hello")
    print(rep.recv())
    rep.send(b"world")
    print(req.recv())
    req.close()
    rep.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
