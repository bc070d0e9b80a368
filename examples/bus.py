"""BUS: three nodes in a full mesh; each hears the others, not itself.

    python examples/bus.py [ADDRESS_PREFIX]    default inproc://bus-
"""
import sys
import time

import nnpy


def main(prefix: str = "inproc://bus-") -> None:
    nodes = [nnpy.Socket(nnpy.AF_SP, nnpy.BUS) for _ in range(3)]
    for i, node in enumerate(nodes):
        node.bind("%s%d" % (prefix, i))
        node.rcvtimeo = 5000
    for i, node in enumerate(nodes):
        for j in range(i):
            node.connect("%s%d" % (prefix, j))
    # BUS drops what it sends to a peer not connected yet; over ipc and
    # tcp connecting takes a moment.
    deadline = time.monotonic() + 5
    while any(n.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) < len(nodes) - 1
              for n in nodes):
        if time.monotonic() > deadline:
            raise TimeoutError("the mesh did not connect")
        time.sleep(0.01)
    for i, node in enumerate(nodes):
        node.send(b"hello from %d" % i)
    for i, node in enumerate(nodes):
        heard = sorted(node.recv() for _ in range(len(nodes) - 1))
        print(i, heard)
    nodes[0].rcvtimeo = 100
    try:
        nodes[0].recv()
    except nnpy.TimedOutError:
        print("nothing more")
    for node in nodes:
        node.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
