"""PUSH/PULL: a ventilator spreads tasks over worker threads, a sink
collects the results.

    python examples/pipeline.py [TASKS_ADDRESS RESULTS_ADDRESS]
"""
import sys
import threading

import nnpy


def worker(tasks_at: str, results_at: str) -> None:
    with nnpy.Socket(nnpy.AF_SP, nnpy.PULL) as tasks, \
            nnpy.Socket(nnpy.AF_SP, nnpy.PUSH) as results:
        tasks.connect(tasks_at)
        results.connect(results_at)
        tasks.rcvtimeo = 5000
        while True:
            task = tasks.recv()
            if task == b"stop":
                return
            results.send(b"%d" % (int(task) ** 2))


def main(tasks_at: str = "inproc://tasks", results_at: str = "inproc://results") -> None:
    with nnpy.Socket(nnpy.AF_SP, nnpy.PUSH) as ventilator, \
            nnpy.Socket(nnpy.AF_SP, nnpy.PULL) as sink:
        ventilator.bind(tasks_at)
        sink.bind(results_at)
        sink.rcvtimeo = ventilator.sndtimeo = 5000
        workers = [threading.Thread(target=worker, args=(tasks_at, results_at))
                   for _ in range(3)]
        for w in workers:
            w.start()
        for n in range(10):
            ventilator.send(b"%d" % n)
        squares = sorted(int(sink.recv()) for _ in range(10))
        for _ in workers:
            ventilator.send(b"stop")  # each worker takes one and leaves
        for w in workers:
            w.join()
    print(squares)


if __name__ == "__main__":
    main(*sys.argv[1:])
