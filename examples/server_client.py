"""A REP server in a thread and a REQ client class (the third slide).

    python examples/server_client.py [ADDRESS]   default inproc://server
"""
import sys
import threading

import nnpy


class Server:
    def __init__(self, address: str) -> None:
        self.sock = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
        self.sock.bind(address)

    def serve_forever(self) -> None:
        while True:
            question = self.sock.recv()
            if question == b"stop":
                self.sock.send(b"bye")
                return
            self.sock.send(b"re: " + question)


class Client:
    def __init__(self, address: str) -> None:
        self.sock = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
        self.sock.rcvtimeo = 5000
        self.sock.connect(address)

    def ask(self, question: bytes) -> bytes:
        self.sock.send(question)
        return self.sock.recv()


def main(address: str = "inproc://server") -> None:
    server = Server(address)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    client = Client(address)
    print(client.ask(b"ping"))
    print(client.ask(b"pong"))
    print(client.ask(b"stop"))
    thread.join()


if __name__ == "__main__":
    main(*sys.argv[1:])
