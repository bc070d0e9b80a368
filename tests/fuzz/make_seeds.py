"""Writes the seed corpora of the fuzz targets into corpus/<target>/.

Seeds are small, valid-looking inputs that get each target past its first
checks at once; the fuzzer mutates from there. Re-run after changing a
target's input format: `python3 tests/fuzz/make_seeds.py`.
"""
import base64
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TYPES = [0x10, 0x20, 0x21, 0x30, 0x31, 0x50, 0x51, 0x62, 0x63, 0x70]
NAMES = ["pair", "pub", "sub", "req", "rep", "push", "pull", "surveyor",
         "respondent", "bus"]
SEEDS = {}


def seed(target, name, data):
    SEEDS.setdefault(target, {})[name] = data


def sp_header(t):
    return b"\0SP\0" + struct.pack(">H", t) + b"\0\0"


def tcp_msg(body):
    return struct.pack(">Q", len(body)) + body


def ipc_msg(body):
    return b"\x01" + tcp_msg(body)


def ws_frame(op, body, mask=None, fin=True):
    b0 = (0x80 if fin else 0) | op
    n = len(body)
    mbit = 0x80 if mask else 0
    if n < 126:
        hdr = bytes([b0, mbit | n])
    elif n < 65536:
        hdr = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if mask:
        body = bytes(c ^ mask[i % 4] for i, c in enumerate(body))
        hdr += mask
    return hdr + body


def ws_key(nonce):
    return base64.b64encode(nonce).decode()


def ws_accept(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def ws_request(key, proto, version="13"):
    return ("GET / HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
            "Sec-WebSocket-Version: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n"
            % (key, version, proto)).encode()


def ws_response(key, proto):
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
            "Sec-WebSocket-Protocol: %s\r\n\r\n" % (ws_accept(key), proto)).encode()


MASK = b"\x11\x22\x33\x44"
KEY = ws_key(bytes(range(16)))


def stream_seeds():
    two = tcp_msg(b"hello") + tcp_msg(b"") + tcp_msg(bytes(range(40)))
    seed("fuzz_streamcodec", "tcp", b"\x00\x07" + two)
    seed("fuzz_streamcodec", "tcp-direct", b"\x08\x03" + two + tcp_msg(b"x" * 300))
    seed("fuzz_streamcodec", "ipc", b"\x01\x05" + ipc_msg(b"abc") + ipc_msg(b"de"))
    seed("fuzz_streamcodec", "ipc-badtype", b"\x01\x01" + b"\x02" + tcp_msg(b"a"))
    seed("fuzz_streamcodec", "limit", b"\x04\x09" + tcp_msg(b"y" * 120))
    seed("fuzz_streamcodec", "huge", b"\x00\x02" + struct.pack(">Q", 1 << 62) + b"zz")
    for t in (0x30, 0x31, 0x70):
        seed("fuzz_sphdr", "type%x" % t, sp_header(t))
    seed("fuzz_sphdr", "badmagic", b"\0SQ\0\0\x10\0\0")


def ws_seeds():
    fs = "fuzz_wsframe"
    seed(fs, "server-binary", b"\x01\x03" + ws_frame(2, b"hello", MASK))
    seed(fs, "client-text", b"\x00\x03" + ws_frame(1, "héllo".encode()))
    seed(fs, "fragments", b"\x01\x11" + ws_frame(1, b"ab", MASK, fin=False) +
         ws_frame(9, b"p", MASK) + ws_frame(0, b"cd", MASK))
    seed(fs, "close", b"\x01\x01" + ws_frame(8, b"\x03\xe8bye", MASK))
    seed(fs, "len16", b"\x00\x05" + ws_frame(2, b"q" * 200))
    seed(fs, "limit", b"\x05\x05" + ws_frame(2, b"q" * 130, MASK))
    seed(fs, "badutf8", b"\x00\x02" + ws_frame(1, b"\xc0\xaf"))
    seed(fs, "roundtrip", b"\x09\x04" + b"\x00\x00\x05" + MASK + b"hello" +
         b"\x01\x00\x03" + MASK + b"abc" + b"\x02\x00\x00" + MASK)
    for t, n in zip(TYPES, NAMES):
        seed("fuzz_wshs_server", "ok-" + n,
             bytes([TYPES.index(t)]) + ws_request(KEY, n + ".sp.nanomsg.org"))
    seed("fuzz_wshs_server", "version", b"\x04" + ws_request(KEY, "rep.sp.nanomsg.org", "8"))
    seed("fuzz_wshs_server", "noproto", b"\x00" + ws_request(KEY, "").replace(
        b"Sec-WebSocket-Protocol: \r\n", b""))
    seed("fuzz_wshs_server", "partial", b"\x03" + ws_request(KEY, "rep.sp.nanomsg.org")[:60])
    nonce = bytes(range(16))
    seed("fuzz_wshs_client", "ok", nonce + ws_response(KEY, "rep.sp.nanomsg.org"))
    seed("fuzz_wshs_client", "self", b"\xa5" + nonce[1:] +
         ws_response(ws_key(b"\xa5" + nonce[1:]), "req.sp.nanomsg.org"))
    seed("fuzz_wshs_client", "400", nonce + b"HTTP/1.1 400 Bad Request\r\n\r\n")


def addr_seeds():
    fa = "fuzz_addr"
    for mode, text in [(0, b"5555"), (0, b"0080"), (1, b"a.example.com."),
                       (2, b"[::1]"), (2, b"127.0.0.1"), (3, b"localhost"),
                       (4, b"lo"), (4, b"*"), (0x85, b"*:5555"),
                       (0x85, b"localhost:1"), (6, b"lo;127.0.0.1:5555"),
                       (0x86, b"[::1]:80")]:
        seed(fa, "pure%d-%s" % (mode, text.decode().replace("/", "_")),
             bytes([mode]) + text)
    for mode, text in [(0x40, b"127.0.0.1:0"), (0x41, b"*:0"),
                       (0x42, b"inproc-name"), (0x43, b"a.ipc"),
                       (0x48, b"127.0.0.1:1"), (0x49, b"lo;localhost:1/res?x"),
                       (0xC9, b"[::1]:1/"), (0x4c, b"nothing")]:
        seed(fa, "api%x" % mode, bytes([mode]) + text + b"\0")
    # fuzz_api programs: (code, which, args...)
    sock = lambda slot, proto: bytes([0, 0x80 | slot, proto])
    seed("fuzz_api", "reqrep-inproc",
         sock(0, 3) + sock(1, 4) + bytes([2, 1]) + b"x\0\x02" +
         bytes([3, 0]) + b"x\0\x02" + bytes([7, 0, 3]) + b"abc" +
         bytes([8, 1]) + bytes([7, 1, 2]) + b"ok" + bytes([8, 0]) +
         bytes([9, 0, 3, 3, 3, 3]))
    seed("fuzz_api", "pair-tcp",
         sock(0, 0) + sock(1, 0) + bytes([2, 0]) + b"127.0.0.1:0\0\x00" +
         bytes([3, 1]) + b"\0\x04" + bytes([7, 1, 2]) + b"hi" +
         bytes([8, 0, 8, 0, 6, 0, 1, 1]))
    seed("fuzz_api", "opts",
         sock(0, 2) + bytes([4, 0, 2, 1, 3]) + b"abc" +
         bytes([5, 0, 0, 15, 64]) + bytes([4, 0, 0, 5, 4]) + b"\x10\0\0\0" +
         bytes([5, 0, 0, 11, 4, 10, 0, 0, 101, 11, 0, 1, 45]))
    seed("fuzz_api", "ipc-ws",
         sock(2, 9) + bytes([2, 2]) + b"s.ipc\0\x03" + bytes([2, 2]) +
         b"127.0.0.1:0\0\x01" + bytes([3, 2]) + b"\x01\0\x04" +
         bytes([1, 2]))


def e2e_seeds():
    reqid = b"\x80\x00\x00\x07"
    bodies = [b"hello", b"pub", b"", reqid + b"rep", reqid + b"req", b"push",
              b"", reqid + b"resp", reqid + b"surv", b"bus"]
    for p, body in enumerate(bodies):
        for ipc in (0, 1):
            msg = ipc_msg(body) if ipc else tcp_msg(body)
            seed("fuzz_e2e_stream", "p%d-%s" % (p, "ipc" if ipc else "tcp"),
                 bytes([p | ipc << 5]) + msg * 2)
        seed("fuzz_e2e_stream", "p%d-dial" % p, bytes([p | 0x40]) + tcp_msg(body))
        seed("fuzz_e2e_stream", "p%d-raw" % p, bytes([p | 0x10]) + tcp_msg(body))
        seed("fuzz_e2e_ws", "p%d-server" % p,
             bytes([p]) + ws_frame(2, body, MASK) + ws_frame(9, b"", MASK))
        seed("fuzz_e2e_ws", "p%d-client" % p,
             bytes([p | 0x40]) + ws_frame(2, body) + ws_frame(8, b"\x03\xe8"))
    seed("fuzz_e2e_stream", "ownhdr", b"\x80\0SP\0\0\x10\0\0" + tcp_msg(b"x"))
    seed("fuzz_e2e_stream", "badlen", b"\x00" + struct.pack(">Q", 1 << 40) + b"a")
    seed("fuzz_e2e_ws", "ownhs", b"\x83" + ws_request(KEY, "rep.sp.nanomsg.org") +
         ws_frame(2, b"\x80\0\0\x01q", MASK))
    seed("fuzz_e2e_ws", "text", b"\x00" + ws_frame(1, b"abc", MASK, fin=False) +
         ws_frame(0, b"def", MASK))


def main():
    stream_seeds()
    ws_seeds()
    addr_seeds()
    e2e_seeds()
    extra = os.path.join(HERE, "seeds_extra.py")
    if os.path.exists(extra):
        ns = {"seed": seed, "sp_header": sp_header, "tcp_msg": tcp_msg,
              "ipc_msg": ipc_msg, "ws_frame": ws_frame, "ws_request": ws_request,
              "ws_key": ws_key, "MASK": MASK, "KEY": KEY}
        exec(compile(open(extra).read(), extra, "exec"), ns)
    for target, files in SEEDS.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
