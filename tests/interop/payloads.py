"""Message payloads shared by the tests and the reference peer.

Imported by refpeer.py too, so it must not import nnpy (or anything that
does): the peer process loads the real libnanomsg and nothing else.
Payloads travel on the peer's command line as text specs:
``hex:<hex>`` for small ones, ``big:<n>`` for an n-byte pattern.
"""
import hashlib

MIB = 1 << 20

# Used to find out that a connection is live on protocols that drop
# messages while it is not (PUB, BUS, SURVEYOR); never counted as data.
PROBE = b"\x00probe\x00"

EMPTY = b""
BINARY = b"\x00\x01bin\x00ary\xff\xfe\x00\x00\x80\x00"


def big(n: int) -> bytes:
    """n bytes of a pattern whose period (251) is prime, so a shifted,
    truncated or duplicated chunk never matches by accident."""
    return (bytes(range(251)) * (n // 251 + 1))[:n]


# The three messages every protocol pair exchanges in each direction.
STANDARD = (EMPTY, BINARY, big(MIB))


def spec(data: bytes) -> str:
    """Command-line form of ``data``."""
    if len(data) > 4096 and data == big(len(data)):
        return "big:%d" % len(data)
    return "hex:" + data.hex()


def parse(text: str) -> bytes:
    """Inverse of spec()."""
    kind, _, value = text.partition(":")
    if kind == "hex":
        return bytes.fromhex(value)
    if kind == "big":
        return big(int(value))
    raise ValueError("bad payload spec %r" % text)


def describe(data: bytes) -> str:
    """The peer's one-line report of a message: length, digest, and the
    bytes themselves in hex when short (``-`` otherwise)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    shown = data.hex() if len(data) <= 64 else "-"
    return "%d %s %s" % (len(data), digest, shown or "(empty)")
