"""SURVEYOR/RESPONDENT: ask every respondent, collect answers until the
deadline.

    python examples/survey.py [ADDRESS]    default inproc://survey
"""
import sys
import threading

import nnpy

NAMES = [b"ada", b"bob", b"cy"]


def respondent(address: str, name: bytes, ready: threading.Barrier) -> None:
    with nnpy.Socket(nnpy.AF_SP, nnpy.RESPONDENT) as s:
        s.connect(address)
        s.rcvtimeo = 5000
        ready.wait()
        if s.recv() == b"who is there?":
            s.send(name)
        ready.wait()  # stay connected until the surveyor has every answer


def main(address: str = "inproc://survey") -> None:
    with nnpy.Socket(nnpy.AF_SP, nnpy.SURVEYOR) as surveyor:
        surveyor.bind(address)
        surveyor.setsockopt(nnpy.SURVEYOR, nnpy.SURVEYOR_DEADLINE, 500)
        ready = threading.Barrier(len(NAMES) + 1)
        threads = [threading.Thread(target=respondent, args=(address, n, ready))
                   for n in NAMES]
        for t in threads:
            t.start()
        ready.wait()
        if not address.startswith("inproc://"):
            wait_for_peers(surveyor, len(NAMES))
        surveyor.send(b"who is there?")
        answers = []
        while True:
            try:
                answers.append(surveyor.recv())
            except nnpy.TimedOutError:  # the deadline: the survey is over
                break
        ready.wait()
        for t in threads:
            t.join()
    print(sorted(answers))


def wait_for_peers(sock: nnpy.Socket, count: int) -> None:
    # A survey reaches only the respondents connected when it is sent.
    import time
    deadline = time.monotonic() + 5
    while sock.get_statistic(nnpy.STAT_CURRENT_CONNECTIONS) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("respondents did not connect")
        time.sleep(0.01)


if __name__ == "__main__":
    main(*sys.argv[1:])
