/* The send/recv hot path of nnpy.Socket, in C.

   cffi releases and re-acquires the GIL around every C call, which costs
   more than the whole of nn_send over inproc. Here a call first runs
   non-blocking with the GIL held (the core never waits for the GIL, so this
   cannot deadlock) and gives up the GIL only when it would block.

   The nn_* functions are reached through pointers taken from the cffi
   module at import (`bind`), so this module shares that module's one copy
   of the core instead of linking its own. Results are plain values: a
   count or bytes on success, the negative errno on failure; nnpy.socket
   turns those into exceptions.

   Only the limited API of CPython 3.9 is used (setup.py defines
   Py_LIMITED_API), so one abi3 build serves every CPython from 3.9 on,
   with one exception: METH_FASTCALL. Its flag value and calling convention
   are unchanged since CPython 3.7, and 3.10 added them to the stable ABI
   as they were; the 3.9 headers only hide them from limited-API code.
   Without it each call packs its arguments into a tuple, which made a
   send+recv pair about 22% slower (bench/loop_inproc.py). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifndef METH_FASTCALL
#define METH_FASTCALL 0x0080
#endif
#include <errno.h>
#include <stdint.h>

#define NN_DONTWAIT 1
#define NN_MSG ((size_t) -1)

typedef int (*send_fn)(int, const void *, size_t, int);
typedef int (*recv_fn)(int, void *, size_t, int);
typedef int (*freemsg_fn)(void *);

static send_fn nn_send_p;
static recv_fn nn_recv_p;
static freemsg_fn nn_freemsg_p;

static PyObject *sp_bind(PyObject *self, PyObject *args)
{
    unsigned long long s, r, f;
    (void) self;
    if (!PyArg_ParseTuple(args, "KKK", &s, &r, &f))
        return NULL;
    nn_send_p = (send_fn) (uintptr_t) s;
    nn_recv_p = (recv_fn) (uintptr_t) r;
    nn_freemsg_p = (freemsg_fn) (uintptr_t) f;
    Py_RETURN_NONE;
}

/* Arguments: `nreq` required ones (the socket first), then optional flags. */
static int parse_sock_flags(PyObject *const *args, Py_ssize_t nargs,
                            Py_ssize_t nreq, int *sock, int *flags)
{
    *flags = 0;
    if (nargs < nreq || nargs > nreq + 1) {
        PyErr_SetString(PyExc_TypeError, "wrong number of arguments");
        return -1;
    }
    *sock = (int) PyLong_AsLong(args[0]);
    if (*sock == -1 && PyErr_Occurred())
        return -1;
    if (nargs == nreq + 1) {
        *flags = (int) PyLong_AsLong(args[nreq]);
        if (*flags == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static PyObject *send_bytes(int sock, PyObject *bytes, int flags)
{
    char *buf;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(bytes, &buf, &len) < 0)
        return NULL;
    int rc = nn_send_p(sock, buf, (size_t) len, flags | NN_DONTWAIT);
    int err = errno;
    if (rc < 0 && err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        rc = nn_send_p(sock, buf, (size_t) len, flags);
        err = errno;
        Py_END_ALLOW_THREADS
    }
    return PyLong_FromLong(rc < 0 ? -err : rc);
}

/* send(sock, data, flags=0): bytes-like data only (the caller encodes str). */
static PyObject *sp_send(PyObject *self, PyObject *const *args,
                         Py_ssize_t nargs)
{
    int sock, flags;
    (void) self;
    if (parse_sock_flags(args, nargs, 2, &sock, &flags) < 0)
        return NULL;
    PyObject *data = args[1];
    if (PyBytes_CheckExact(data))
        return send_bytes(sock, data, flags);
    /* Py_buffer is not in the 3.9 limited API: other buffers are sent from
       a bytes copy of their raw contents, contiguous whatever their shape.
       The memoryview refuses what is not a buffer (TypeError), where
       PyBytes_FromObject alone would accept any iterable of ints. */
    PyObject *view = PyMemoryView_FromObject(data);
    if (view == NULL)
        return NULL;
    PyObject *copy = PyBytes_FromObject(view);
    Py_DECREF(view);
    if (copy == NULL)
        return NULL;
    PyObject *out = send_bytes(sock, copy, flags);
    Py_DECREF(copy);
    return out;
}

/* recv(sock, flags=0) -> bytes, or the negative errno. A non-blocking
   attempt first, with the GIL held; the blocking call only on EAGAIN. The
   core makes a vain attempt cheap (see `dry` in core/sock.h). */
static PyObject *sp_recv(PyObject *self, PyObject *const *args,
                         Py_ssize_t nargs)
{
    int sock, flags;
    void *msg = NULL;
    (void) self;
    if (parse_sock_flags(args, nargs, 1, &sock, &flags) < 0)
        return NULL;
    int n = nn_recv_p(sock, &msg, NN_MSG, flags | NN_DONTWAIT);
    int err = errno;
    if (n < 0 && err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        n = nn_recv_p(sock, &msg, NN_MSG, flags);
        err = errno;
        Py_END_ALLOW_THREADS
    }
    if (n < 0)
        return PyLong_FromLong(-err);
    PyObject *out = PyBytes_FromStringAndSize(msg, n);
    nn_freemsg_p(msg);
    return out;
}

static PyMethodDef methods[] = {
    { "bind", sp_bind, METH_VARARGS,
      "bind(send, recv, freemsg): addresses of the core's functions." },
    { "send", (PyCFunction) (void (*)(void)) sp_send, METH_FASTCALL,
      "send(sock, data, flags=0) -> bytes sent, or -errno." },
    { "recv", (PyCFunction) (void (*)(void)) sp_recv, METH_FASTCALL,
      "recv(sock, flags=0) -> bytes, or -errno." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nnpy._speedups",
    "C fast path for nnpy.Socket.send/recv.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
