"""PollSet: wait on several sockets at once.

    python examples/poll.py
"""
import nnpy


def main() -> None:
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
    a.bind("inproc://poll-a")
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
    b.bind("inproc://poll-b")
    push = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH)
    push.connect("inproc://poll-b")
    poller = nnpy.PollSet((a, nnpy.POLLIN), (b, nnpy.POLLIN))
    print(poller.poll(10))
    push.send(b"for b")
    print(poller.poll(1000))
    print(b.recv())
    for s in (a, b, push):
        s.close()


if __name__ == "__main__":
    main()
