#!/usr/bin/env python3
"""Receiving 1 MiB messages: Python allocation and time per message for
recv() (a new bytes each time), recv_into() a reused bytearray, and
recv_msg() (the library's buffer, read through memoryview).

    python bench/zerocopy_bench.py [--size 1048576] [--count 300]

Python-side allocation is counted with tracemalloc (it sees every Python
object allocation, not the C core's own message memory): the peak of
traced memory during the loop, divided by the count, and the peak itself.
A sender thread feeds an inproc PAIR socket; the payload is sent from one
bytes object, so the sender allocates nothing per message either.
"""
import argparse
import threading
import time
import tracemalloc

import nnpy


def run(kind, size, count):
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, sndtimeo=5000)
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR, rcvtimeo=5000, rcvmaxsize=-1)
    where = "inproc://zc-%s" % kind
    b.bind(where)
    a.connect(where)
    payload = b"\x07" * size
    buf = bytearray(size)
    view = memoryview(buf)

    def feed():
        for _ in range(count + 10):
            a.send(payload)
    t = threading.Thread(target=feed)
    t.start()

    def take():
        if kind == "recv":
            data = b.recv()
            return data[0]
        if kind == "recv_into":
            n = b.recv_into(buf)
            return view[n - 1]
        with b.recv_msg() as msg:
            m = memoryview(msg)
            last = m[len(msg) - 1]
            m.release()
            return last

    for _ in range(10):
        take()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    for _ in range(count):
        assert take() == 7
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    t.join()
    a.close()
    b.close()
    return peak, elapsed / count * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--count", type=int, default=300)
    args = ap.parse_args()
    print("| receive | peak Python allocation in the loop | µs/message |")
    print("|---|---|---|")
    for kind in ("recv", "recv_into", "recv_msg"):
        peak, us = run(kind, args.size, args.count)
        print("| %s | %d bytes | %.0f |" % (kind, peak, us))


if __name__ == "__main__":
    main()
