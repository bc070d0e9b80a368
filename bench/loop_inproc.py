#!/usr/bin/env python3
"""Same-thread send+recv cost per message over an inproc PAIR pair.

One thread sends on one socket and receives on the other, so no wake-up or
thread hop is measured: only the binding plus the core. Prints ns/msg (best
of several rounds) for nnpy's API and for the same C calls made directly
through nnpy's cffi lib.

    python bench/loop_inproc.py [--size 64] [--count 200000] [--rounds 5]
"""
import argparse
import time

import nnpy


def best_ns_per_msg(loop, count, rounds):
    loop(min(count, 10000))           # warm up
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        loop(count)
        best = min(best, (time.perf_counter_ns() - t0) / count)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    a, b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR), nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    for s in (a, b):
        s.rcvtimeo = s.sndtimeo = 5000
    b.bind("inproc://bench-loop")
    a.connect("inproc://bench-loop")
    msg = b"\x05" * args.size

    def api(n):
        send, recv = a.send, b.recv
        for _ in range(n):
            send(msg)
            recv()

    ffi, lib = nnpy.ffi, nnpy.nanomsg
    slot = ffi.new("char **")

    def cffi_direct(n):
        nn_send, nn_recv, nn_freemsg, unpack = lib.nn_send, lib.nn_recv, lib.nn_freemsg, ffi.unpack
        sa, sb, size, NN_MSG = a.sock, b.sock, args.size, lib.NN_MSG
        for _ in range(n):
            nn_send(sa, msg, size, 0)
            r = nn_recv(sb, slot, NN_MSG, 0)
            unpack(slot[0], r)
            nn_freemsg(slot[0])

    results = {
        "api": best_ns_per_msg(api, args.count, args.rounds),
        "cffi_direct": best_ns_per_msg(cffi_direct, args.count, args.rounds),
    }
    a.close()
    b.close()
    for name, ns in results.items():
        print("%-12s %8.0f ns/msg  (%d-byte messages, same thread, inproc PAIR)"
              % (name, ns, args.size))


if __name__ == "__main__":
    main()
