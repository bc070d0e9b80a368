"""A REQ/REP device: clients connect to the front, servers to the back,
and nnpy.device forwards between two raw sockets in a thread.

    python examples/device.py [FRONT BACK]   default inproc://front inproc://back
"""
import sys
import threading

import nnpy


def run_device(s1: nnpy.Socket, s2: nnpy.Socket) -> None:
    try:
        nnpy.device(s1, s2)
    except nnpy.BadSocketError:
        pass  # its sockets were closed: the device is done


def main(front: str = "inproc://front", back: str = "inproc://back") -> None:
    dev_front = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.REP)
    dev_front.bind(front)
    dev_back = nnpy.Socket(nnpy.AF_SP_RAW, nnpy.REQ)
    dev_back.bind(back)
    device = threading.Thread(target=run_device, args=(dev_front, dev_back))
    device.start()

    server = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
    server.connect(back)
    server.rcvtimeo = 5000
    clients = [nnpy.Socket(nnpy.AF_SP, nnpy.REQ) for _ in range(2)]
    for c in clients:
        c.connect(front)
        c.rcvtimeo = 5000
    clients[0].send(b"first")
    clients[1].send(b"second")
    for _ in clients:
        server.send(b"re: " + server.recv())
    print(clients[1].recv())
    print(clients[0].recv())

    dev_front.close()
    dev_back.close()
    device.join()
    for s in clients + [server]:
        s.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
