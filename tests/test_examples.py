"""Every script in examples/ runs as a user would run it, and prints exactly
what it should: over its default inproc address and over ipc and tcp.

Each runs in a fresh interpreter from the repository root (the script's
own directory heads sys.path, so the installed nnpy is imported).
"""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TIMEOUT = 60

# examples/ is the source tree's (see test_docs_examples.py).
pytestmark = [pytest.mark.timeout(TIMEOUT * 2 + 30), pytest.mark.source_tree]

EXPECTED = {
    "pair.py": ["b'hello'", "b'world'"],
    "reqrep.py": ["b'hello'", "b'world'"],
    "server_client.py": ["b're: ping'", "b're: pong'", "b'bye'"],
    "pubsub.py": ["b'hello' b'world'", "b'world'"],
    "pipeline.py": ["[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"],
    "survey.py": ["[b'ada', b'bob', b'cy']"],
    "bus.py": ["0 [b'hello from 1', b'hello from 2']",
               "1 [b'hello from 0', b'hello from 2']",
               "2 [b'hello from 0', b'hello from 1']",
               "nothing more"],
    "device.py": ["b're: second'", "b're: first'"],
    "poll.py": ["[0, 0]", "[0, 1]", "b'for b'"],
}
# p1.py and p2.py are one example in two processes (test below).
TWO_PROCESS = {"p1.py", "p2.py"}

# How many addresses each script takes as arguments.
ADDRESSES = {"pair.py": 1, "reqrep.py": 1, "server_client.py": 1, "pubsub.py": 1,
             "pipeline.py": 2, "survey.py": 1, "device.py": 2}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(script: str, *args: str) -> List[str]:
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, "%s %s failed:\n%s%s" % (script, args, proc.stdout, proc.stderr)
    return proc.stdout.splitlines()


def test_every_example_is_tested() -> None:
    present = {p.name for p in EXAMPLES.glob("*.py")}
    assert present == set(EXPECTED) | TWO_PROCESS


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_default_address(script: str) -> None:
    assert run(script) == EXPECTED[script]


def addresses(kind: str, count: int, tmp_path: Path) -> List[str]:
    if kind == "ipc":
        return ["ipc://%s/ex%d.ipc" % (tmp_path, i) for i in range(count)]
    return ["tcp://127.0.0.1:%d" % free_port() for _ in range(count)]


@pytest.mark.parametrize("kind", ["ipc", "tcp"])
@pytest.mark.parametrize("script", sorted(ADDRESSES))
def test_example_over_network(script: str, kind: str, tmp_path: Path) -> None:
    assert run(script, *addresses(kind, ADDRESSES[script], tmp_path)) == EXPECTED[script]


def test_bus_over_ipc(tmp_path: Path) -> None:
    assert run("bus.py", "ipc://%s/bus-" % tmp_path) == EXPECTED["bus.py"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
@pytest.mark.parametrize("first", ["p1.py", "p2.py"])
def test_two_process_slide(host: str, first: str) -> None:
    """p1.py binds, p2.py connects; either may start first."""
    address = "tcp://%s:%d" % (host, free_port())
    second = "p2.py" if first == "p1.py" else "p1.py"
    procs = {}
    for script in (first, second):
        procs[script] = subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), address], cwd=ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = {name: p.communicate(timeout=TIMEOUT) for name, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.communicate()
    for name, p in procs.items():
        assert p.returncode == 0, "%s failed:\n%s%s" % (name, *out[name])
    assert out["p1.py"][0].splitlines() == ["b'hello from p2'"]
    assert out["p2.py"][0].splitlines() == ["b'hello from p1'"]
