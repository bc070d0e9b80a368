"""PUB/SUB: one subscriber takes everything, one only topics starting
with "w" (the fourth slide).

    python examples/pubsub.py [ADDRESS]    default inproc://news
"""
import sys
import time

import nnpy


def main(address: str = "inproc://news") -> None:
    pub = nnpy.Socket(nnpy.AF_SP, nnpy.PUB)
    pub.bind(address)
    everything = nnpy.Socket(nnpy.AF_SP, nnpy.SUB)
    everything.connect(address)
    everything.subscribe("")
    w_only = nnpy.Socket(nnpy.AF_SP, nnpy.SUB)
    w_only.connect(address)
    w_only.subscribe("w")
    everything.rcvtimeo = w_only.rcvtimeo = 5000
    if not address.startswith("inproc://"):
        wait_for_subscribers(pub, 2)
    pub.send(b"hello")
    pub.send(b"world")
    print(everything.recv(), everything.recv())
    print(w_only.recv())


def wait_for_subscribers(pub: nnpy.Socket, count: int) -> None:
    # PUB drops what it sends before a subscriber is connected; over tcp
    # and ipc connecting takes a moment.
    deadline = time.monotonic() + 5
    while pub.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("subscribers did not connect")
        time.sleep(0.01)


if __name__ == "__main__":
    main(*sys.argv[1:])
