/* nnpy.Message: a library-allocated message (NN_MSG) seen through the
   buffer protocol, so memoryview(msg) reads it in place, plus the calls
   that move such messages in and out of a socket without a copy.

   Built against the stable ABI of Python 3.9 (Py_LIMITED_API=0x03090000),
   so one abi3 binary serves 3.9 to 3.13 and later:
   - The type is made with PyType_FromSpec. Its Py_bf_getbuffer and
     Py_bf_releasebuffer slots are accepted by PyType_FromSpec from 3.9 on
     (bpo-40724); only their declarations joined the limited headers later.
   - Py_buffer and the PyBUF_* flags are declared by the limited headers
     only from 3.11. Below 0x030B0000 we declare `nn_py_buffer`, laid out
     field by field as CPython's Py_buffer (unchanged since 3.3, and part of
     the stable ABI from 3.11 on, so it cannot change any more), and fill it
     ourselves instead of calling PyBuffer_FillInfo, which is not in the 3.9
     limited API either.
   - Nothing else used here is outside the 3.9 limited API.

   As in _speedups.c, the nn_* functions are reached through pointers taken
   from the cffi module at import (`bind`), so that one copy of the core
   serves the whole package. Results are plain values (a Message or count,
   or the negative errno); nnpy.socket turns those into exceptions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#if !defined(Py_LIMITED_API) || Py_LIMITED_API + 0 >= 0x030B0000
typedef Py_buffer nn_py_buffer;
#else
typedef struct {
    void *buf;
    PyObject *obj;
    Py_ssize_t len;
    Py_ssize_t itemsize;
    int readonly;
    int ndim;
    char *format;
    Py_ssize_t *shape;
    Py_ssize_t *strides;
    Py_ssize_t *suboffsets;
    void *internal;
} nn_py_buffer;
#define PyBUF_WRITABLE 0x0001
#define PyBUF_FORMAT 0x0004
#define PyBUF_ND 0x0008
#define PyBUF_STRIDES (0x0010 | PyBUF_ND)
#endif
#ifndef Py_bf_getbuffer
#define Py_bf_getbuffer 1
#define Py_bf_releasebuffer 2
#endif

#define NN_DONTWAIT 1
#define NN_MSG ((size_t) -1)

typedef int (*send_fn)(int, const void *, size_t, int);
typedef int (*recv_fn)(int, void *, size_t, int);
typedef int (*freemsg_fn)(void *);
typedef void *(*allocmsg_fn)(size_t, int);

static send_fn nn_send_p;
static recv_fn nn_recv_p;
static freemsg_fn nn_freemsg_p;
static allocmsg_fn nn_allocmsg_p;
static PyObject *message_type;

/* `msg` is owned here until sent or freed. `released` is what users see:
   a released message refuses every use, but its memory lives on until the
   last buffer export taken before the release ends. */
typedef struct {
    PyObject_HEAD
    void *msg;
    Py_ssize_t size;
    Py_ssize_t exports;
    int released;
    int writable;
} Message;

static void msg_free_if_unused(Message *m)
{
    if (m->released && m->exports == 0 && m->msg) {
        nn_freemsg_p(m->msg);
        m->msg = NULL;
    }
}

static PyObject *new_message(void *msg, Py_ssize_t size, int writable)
{
    PyObject *self = PyType_GenericAlloc((PyTypeObject *) message_type, 0);
    if (!self)
        return NULL;
    Message *m = (Message *) self;
    m->msg = msg;
    m->size = size;
    m->exports = 0;
    m->released = 0;
    m->writable = writable;
    return self;
}

/* Message(size): a new zero-filled, writable message of `size` bytes. */
static PyObject *msg_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Py_ssize_t size;
    static char *names[] = { "size", NULL };
    (void) type;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "n", names, &size))
        return NULL;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "negative message size");
        return NULL;
    }
    void *msg = nn_allocmsg_p((size_t) size, 0);
    if (!msg)
        return PyErr_NoMemory();
    memset(msg, 0, (size_t) size);
    PyObject *out = new_message(msg, size, 1);
    if (!out)
        nn_freemsg_p(msg);
    return out;
}

static void msg_dealloc(PyObject *self)
{
    Message *m = (Message *) self;
    if (m->msg)
        nn_freemsg_p(m->msg);
    m->msg = NULL;
    PyTypeObject *tp = Py_TYPE(self);
    freefunc tp_free = (freefunc) PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

static int released_error(void)
{
    PyErr_SetString(PyExc_ValueError, "operation on a released nnpy.Message");
    return -1;
}

static int msg_getbuffer(PyObject *self, nn_py_buffer *view, int flags)
{
    Message *m = (Message *) self;
    if (m->released)
        return released_error();
    if ((flags & PyBUF_WRITABLE) && !m->writable) {
        /* A received message may share its memory with other receivers. */
        PyErr_SetString(PyExc_BufferError, "a received nnpy.Message is read-only");
        return -1;
    }
    view->buf = m->msg;
    view->obj = self;
    Py_INCREF(self);
    view->len = m->size;
    view->itemsize = 1;
    view->readonly = !m->writable;
    view->ndim = 1;
    view->format = (flags & PyBUF_FORMAT) ? "B" : NULL;
    view->shape = (flags & PyBUF_ND) == PyBUF_ND ? &view->len : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &view->itemsize : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    m->exports++;
    return 0;
}

static void msg_releasebuffer(PyObject *self, nn_py_buffer *view)
{
    Message *m = (Message *) self;
    (void) view;
    m->exports--;
    msg_free_if_unused(m);
}

static Py_ssize_t msg_len(PyObject *self)
{
    Message *m = (Message *) self;
    if (m->released)
        return released_error();
    return m->size;
}

static PyObject *msg_release(PyObject *self, PyObject *unused)
{
    Message *m = (Message *) self;
    (void) unused;
    m->released = 1;
    msg_free_if_unused(m);
    Py_RETURN_NONE;
}

static PyObject *msg_enter(PyObject *self, PyObject *unused)
{
    (void) unused;
    if (((Message *) self)->released) {
        released_error();
        return NULL;
    }
    Py_INCREF(self);
    return self;
}

static PyObject *msg_exit(PyObject *self, PyObject *args)
{
    (void) args;
    return msg_release(self, NULL);
}

static PyObject *msg_get_released(PyObject *self, void *closure)
{
    (void) closure;
    return PyBool_FromLong(((Message *) self)->released);
}

static PyObject *msg_repr(PyObject *self)
{
    Message *m = (Message *) self;
    if (m->released)
        return PyUnicode_FromString("<nnpy.Message released>");
    return PyUnicode_FromFormat("<nnpy.Message %zd bytes>", m->size);
}

static PyMethodDef msg_methods[] = {
    { "release", msg_release, METH_NOARGS,
      "Free the message now (at once, or when the last memoryview of it ends)." },
    { "__enter__", msg_enter, METH_NOARGS, NULL },
    { "__exit__", msg_exit, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef msg_getset[] = {
    { "released", msg_get_released, NULL, "True once released or sent.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyType_Slot msg_slots[] = {
    { Py_tp_new, (void *) msg_new },
    { Py_tp_dealloc, (void *) msg_dealloc },
    { Py_tp_repr, (void *) msg_repr },
    { Py_tp_methods, msg_methods },
    { Py_tp_getset, msg_getset },
    { Py_sq_length, (void *) msg_len },
    { Py_bf_getbuffer, (void *) msg_getbuffer },
    { Py_bf_releasebuffer, (void *) msg_releasebuffer },
    { Py_tp_doc, (void *)
      "A message in memory owned by the library (NN_MSG).\n\n"
      "memoryview(msg) reads it without a copy; bytes(msg) copies it.\n"
      "Message(size) makes a new writable one to fill and send.\n"
      "It is freed by release(), at the end of a with block, or when\n"
      "garbage-collected; sending it hands it to the socket." },
    { 0, NULL },
};

static PyType_Spec msg_spec = {
    "nnpy.Message", sizeof(Message), 0, Py_TPFLAGS_DEFAULT, msg_slots,
};

/* -- socket calls ---------------------------------------------------------- */

static PyObject *mp_bind(PyObject *self, PyObject *args)
{
    unsigned long long s, r, f, a;
    (void) self;
    if (!PyArg_ParseTuple(args, "KKKK", &s, &r, &f, &a))
        return NULL;
    nn_send_p = (send_fn) (uintptr_t) s;
    nn_recv_p = (recv_fn) (uintptr_t) r;
    nn_freemsg_p = (freemsg_fn) (uintptr_t) f;
    nn_allocmsg_p = (allocmsg_fn) (uintptr_t) a;
    Py_RETURN_NONE;
}

/* recv_msg(sock, flags) -> Message, or the negative errno. */
static PyObject *mp_recv_msg(PyObject *self, PyObject *args)
{
    int sock, flags, n, err;
    void *msg = NULL;
    (void) self;
    if (!PyArg_ParseTuple(args, "ii", &sock, &flags))
        return NULL;
    n = nn_recv_p(sock, &msg, NN_MSG, flags | NN_DONTWAIT);
    err = errno;
    if (n < 0 && err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        n = nn_recv_p(sock, &msg, NN_MSG, flags);
        err = errno;
        Py_END_ALLOW_THREADS
    }
    if (n < 0)
        return PyLong_FromLong(-err);
    PyObject *out = new_message(msg, n, 0);
    if (!out)
        nn_freemsg_p(msg);
    return out;
}

static int do_send(int sock, const void *buf, size_t len, int flags, int *err)
{
    int rc = nn_send_p(sock, buf, len, flags | NN_DONTWAIT);
    *err = errno;
    if (rc < 0 && *err == EAGAIN && !(flags & NN_DONTWAIT)) {
        Py_BEGIN_ALLOW_THREADS
        rc = nn_send_p(sock, buf, len, flags);
        *err = errno;
        Py_END_ALLOW_THREADS
    }
    return rc;
}

/* send_msg(sock, msg, flags) -> bytes sent, or the negative errno. On
   success the message is consumed: its memory went to the socket, or, while
   memoryviews of it are alive, a copy did and it is released. */
static PyObject *mp_send_msg(PyObject *self, PyObject *args)
{
    int sock, flags, rc, err;
    PyObject *obj;
    (void) self;
    if (!PyArg_ParseTuple(args, "iO!i", &sock, (PyTypeObject *) message_type,
                          &obj, &flags))
        return NULL;
    Message *m = (Message *) obj;
    if (m->released) {
        released_error();
        return NULL;
    }
    Py_INCREF(obj);   /* stays ours while the GIL is released */
    if (m->exports == 0) {
        void *msg = m->msg;
        rc = do_send(sock, &msg, NN_MSG, flags, &err);
        if (rc >= 0) {
            m->msg = NULL;
            m->released = 1;
        }
    } else {
        rc = do_send(sock, m->msg, (size_t) m->size, flags, &err);
        if (rc >= 0) {
            m->released = 1;
            msg_free_if_unused(m);
        }
    }
    Py_DECREF(obj);
    return PyLong_FromLong(rc < 0 ? -err : rc);
}

static PyMethodDef methods[] = {
    { "bind", mp_bind, METH_VARARGS,
      "bind(send, recv, freemsg, allocmsg): addresses of the core's functions." },
    { "recv_msg", mp_recv_msg, METH_VARARGS,
      "recv_msg(sock, flags) -> Message, or -errno." },
    { "send_msg", mp_send_msg, METH_VARARGS,
      "send_msg(sock, msg, flags) -> bytes sent, or -errno." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nnpy._message",
    "Library-allocated messages (NN_MSG) for nnpy.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__message(void)
{
    PyObject *mod = PyModule_Create(&module);
    if (!mod)
        return NULL;
    message_type = PyType_FromSpec(&msg_spec);
    if (!message_type || PyModule_AddObject(mod, "Message", message_type) < 0) {
        Py_XDECREF(message_type);
        Py_DECREF(mod);
        return NULL;
    }
    Py_INCREF(message_type);   /* one for the module, one for this file */
    return mod;
}
