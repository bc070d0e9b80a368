"""nn_term, in a child process since it is permanent."""
import json

from util import run_python

CHILD = r"""
import json, threading, time, select
import nnpy
lib = nnpy.nanomsg
out = {}
a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
a.rcvtimeo = 10000
b = nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
b.rcvtimeo = 10000
fd = a.rcvfd
woken = {}
def wait(name, s):
    t0 = time.monotonic()
    try:
        s.recv()
        woken[name] = "received?"
    except nnpy.NNError as e:
        woken[name] = [e.error_no, round(time.monotonic() - t0, 3)]
threads = [threading.Thread(target=wait, args=(n, s)) for n, s in (("a", a), ("b", b))]
for t in threads: t.start()
fd_seen = {}
def watch():
    fd_seen["readable"] = bool(select.select([fd], [], [], 5)[0])
w = threading.Thread(target=watch); w.start()
time.sleep(0.3)
t0 = time.monotonic()
lib.nn_term()
out["term_s"] = round(time.monotonic() - t0, 3)
for t in threads: t.join(5)
w.join(6)
out["woken"] = woken
out["fd_readable"] = fd_seen.get("readable")
try:
    nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    out["socket_after"] = "created"
except nnpy.NNError as e:
    out["socket_after"] = e.error_no
    out["socket_after_cls"] = type(e).__name__
rc = lib.nn_socket(nnpy.AF_SP, nnpy.PAIR)
out["raw_socket_after"] = [rc, lib.nn_errno()]
try:
    a.send(b"x")
except nnpy.NNError as e:
    out["old_handle"] = e.error_no
a.close()          # closing after term is quiet
b.close()
lib.nn_term()      # a second nn_term is harmless
out["EBADF"], out["ETERM"] = nnpy.EBADF, nnpy.ETERM
print(json.dumps(out))
"""


def test_term_closes_everything_then_socket_fails_eterm():
    r = run_python(CHILD, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ebadf, eterm = out["EBADF"], out["ETERM"]
    for name in ("a", "b"):
        err, waited = out["woken"][name]
        assert err == ebadf, out
        assert waited < 2, out
    assert out["fd_readable"] is True, out
    assert out["socket_after"] == eterm, out
    assert out["socket_after_cls"] == "TerminatedError"
    assert out["raw_socket_after"] == [-1, eterm]
    assert out["old_handle"] == ebadf


def test_term_without_sockets_is_a_noop():
    r = run_python("import nnpy; nnpy.nanomsg.nn_term(); print('ok')", timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
