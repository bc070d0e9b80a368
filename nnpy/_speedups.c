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
   send+recv pair about 22% slower (bench/loop_inproc.py).

   Socket.send and Socket.recv themselves are the methods of SocketBase
   here, nnpy.Socket's base class, which keeps the socket number in C: a
   Python method around the C call cost another interpreter frame each
   way, about a fifth of an inproc send+recv. Only their success path is
   here; errors and the other kinds of data go to Socket's Python methods
   (_send_other, _send_failed, _recv_failed). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifndef METH_FASTCALL
#define METH_FASTCALL 0x0080
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <structmember.h>

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

/* nn_send of a bytes object: the count, or -1 with *err. */
static int send_raw(int sock, PyObject *bytes, int flags, int *err)
{
    char *buf;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(bytes, &buf, &len) < 0) {
        *err = 0;   /* the exception is set */
        return -1;
    }
    int rc = nn_send_p(sock, buf, (size_t) len, flags | NN_DONTWAIT);
    *err = errno;
    if (rc < 0 && *err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        rc = nn_send_p(sock, buf, (size_t) len, flags);
        *err = errno;
        Py_END_ALLOW_THREADS
    }
    return rc;
}

static PyObject *send_bytes(int sock, PyObject *bytes, int flags)
{
    int err;
    int rc = send_raw(sock, bytes, flags, &err);
    if (rc < 0 && err == 0)
        return NULL;
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

/* One message as bytes: a non-blocking attempt first, with the GIL held;
   the blocking call only on EAGAIN. The core makes a vain attempt cheap
   (see `dry` in core/sock.h). NULL with *err, or with an exception set
   and *err 0. */
static PyObject *recv_raw(int sock, int flags, int *err)
{
    void *msg = NULL;
    int n = nn_recv_p(sock, &msg, NN_MSG, flags | NN_DONTWAIT);
    *err = errno;
    if (n < 0 && *err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        n = nn_recv_p(sock, &msg, NN_MSG, flags);
        *err = errno;
        Py_END_ALLOW_THREADS
    }
    if (n < 0)
        return NULL;
    *err = 0;
    PyObject *out = PyBytes_FromStringAndSize(msg, n);
    nn_freemsg_p(msg);
    return out;
}

/* recv(sock, flags=0) -> bytes, or the negative errno. */
static PyObject *sp_recv(PyObject *self, PyObject *const *args,
                         Py_ssize_t nargs)
{
    int sock, flags, err;
    (void) self;
    if (parse_sock_flags(args, nargs, 1, &sock, &flags) < 0)
        return NULL;
    PyObject *out = recv_raw(sock, flags, &err);
    return out || err == 0 ? out : PyLong_FromLong(-err);
}

/* --- SocketBase ---------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    int sock;
} SocketBase;

/* The arguments of a METH_FASTCALL | METH_KEYWORDS method, by position or
   name, into out[] (NULL where an optional one is missing). */
static int method_args(const char *fn, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames,
                       const char *const *names, Py_ssize_t nreq,
                       Py_ssize_t nmax, PyObject **out)
{
    Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
    if (nargs > nmax) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd arguments "
                     "(%zd given)", fn, nmax, nargs + nkw);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nmax; i++)
        out[i] = i < nargs ? args[i] : NULL;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GetItem(kwnames, k);
        Py_ssize_t i = 0;
        while (i < nmax && PyUnicode_CompareWithASCIIString(key, names[i]))
            i++;
        if (i == nmax) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword "
                         "argument '%U'", fn, key);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for "
                         "argument '%s'", fn, names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < nreq; i++) {
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument "
                         "'%s'", fn, names[i]);
            return -1;
        }
    }
    return 0;
}

static int int_arg(PyObject *o, int *v)
{
    long l = PyLong_AsLong(o);
    if (l == -1 && PyErr_Occurred())
        return -1;
    *v = (int) l;
    return 0;
}

static PyObject *sb_send(PyObject *self, PyObject *const *args,
                         Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = { "data", "flags" };
    PyObject *a[2];
    int flags = 0, err, rc;
    if (method_args("send", args, nargs, kwnames, names, 1, 2, a) < 0 ||
        (a[1] && int_arg(a[1], &flags) < 0))
        return NULL;
    if (PyBytes_CheckExact(a[0])) {
        rc = send_raw(((SocketBase *) self)->sock, a[0], flags, &err);
        if (rc >= 0)
            return PyLong_FromLong(rc);
        if (err == 0)
            return NULL;
    } else {
        PyObject *r = PyObject_CallMethod(self, "_send_other", "Oi", a[0],
                                          flags);
        if (!r)
            return NULL;
        long v = PyLong_AsLong(r);
        if (v >= 0)
            return r;
        Py_DECREF(r);
        if (PyErr_Occurred())
            return NULL;
        err = (int) -v;
    }
    return PyObject_CallMethod(self, "_send_failed", "iOi", err, a[0],
                               flags);
}

static PyObject *sb_recv(PyObject *self, PyObject *const *args,
                         Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = { "flags" };
    PyObject *a[1];
    int flags = 0, err;
    if (method_args("recv", args, nargs, kwnames, names, 0, 1, a) < 0 ||
        (a[0] && int_arg(a[0], &flags) < 0))
        return NULL;
    PyObject *out = recv_raw(((SocketBase *) self)->sock, flags, &err);
    if (out || err == 0)
        return out;
    return PyObject_CallMethod(self, "_recv_failed", "ii", err, flags);
}

static PyObject *sb_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *o = PyType_GenericNew(type, args, kw);
    if (o)
        ((SocketBase *) o)->sock = -1;
    return o;
}

/* A heap type's instances hold a reference to their type. */
static void sb_dealloc(PyObject *o)
{
    PyTypeObject *type = Py_TYPE(o);
    freefunc free_fn = (freefunc) PyType_GetSlot(type, Py_tp_free);
    free_fn(o);
    Py_DECREF(type);
}

#define METH_FASTCALL_KW (METH_FASTCALL | METH_KEYWORDS)

static PyMethodDef sb_methods[] = {
    { "send", (PyCFunction) (void (*)(void)) sb_send, METH_FASTCALL_KW,
      "send($self, /, data, flags=0)\n--\n\n"
      "Send one message; returns its size in bytes.\n\n"
      "``data`` is bytes, a str (sent as UTF-8) or any buffer-protocol\n"
      "object (sent as its raw bytes)." },
    { "recv", (PyCFunction) (void (*)(void)) sb_recv, METH_FASTCALL_KW,
      "recv($self, /, flags=0)\n--\n\nReceive one message as bytes." },
    { NULL, NULL, 0, NULL },
};

static PyMemberDef sb_members[] = {
    { "sock", T_INT, offsetof(SocketBase, sock), 0,
      "The C socket number (-1 once closed)." },
    { NULL, 0, 0, 0, NULL },
};

static PyType_Slot sb_slots[] = {
    { Py_tp_new, (void *) sb_new },
    { Py_tp_dealloc, (void *) sb_dealloc },
    { Py_tp_methods, sb_methods },
    { Py_tp_members, sb_members },
    { Py_tp_doc, (void *) "nnpy.Socket's base: send/recv in C." },
    { 0, NULL },
};

static PyType_Spec sb_spec = {
    "nnpy._speedups.SocketBase", sizeof(SocketBase), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, sb_slots,
};

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
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    PyObject *type = PyType_FromSpec(&sb_spec);
    if (!type || PyModule_AddObject(m, "SocketBase", type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
