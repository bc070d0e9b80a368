"""Build script for the ``nnpy._nnpy`` cffi extension (out-of-line API mode).

The extension compiles every C source of the vendored core in
``vendor/nanomsg/src`` together with cffi's glue, so installing nnpy needs
only a C compiler: no system libnanomsg is looked for, linked or loaded, and
nothing is generated from a library at build time.

The ``cdef`` below restates the public API of ``include/nanomsg/*.h``;
``tests/test_cdef.py`` fails when a header gains an ``NN_EXPORT`` function
that is missing here.

``NN_PORTABLE=1`` in the environment builds the core as on a non-Linux
POSIX system (poll backend, POSIX fallbacks; see
``vendor/nanomsg/src/utils/platform.h``), which other systems get anyway.
"""
import glob
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.join(HERE, "vendor", "nanomsg")

HEADERS = ("nn.h", "pair.h", "reqrep.h", "pubsub.h", "pipeline.h", "survey.h",
           "bus.h", "inproc.h", "ipc.h", "tcp.h", "ws.h")

CDEF = """
struct nn_iovec {
    void *iov_base;
    size_t iov_len;
};

struct nn_msghdr {
    struct nn_iovec *msg_iov;
    int msg_iovlen;
    void *msg_control;
    size_t msg_controllen;
};

struct nn_cmsghdr {
    size_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};

struct nn_pollfd {
    int fd;
    short events;
    short revents;
};

struct nn_symbol_properties {
    int value;
    const char *name;
    int ns;
    int type;
    int unit;
};

typedef union nn_req_handle {
    int i;
    void *ptr;
} nn_req_handle;

#define NN_MSG ...

int nn_errno(void);
const char *nn_strerror(int errnum);
const char *nn_symbol(int i, int *value);
int nn_symbol_info(int i, struct nn_symbol_properties *buf, int buflen);
void nn_term(void);

void *nn_allocmsg(size_t size, int type);
void *nn_reallocmsg(void *msg, size_t size);
int nn_freemsg(void *msg);
struct nn_cmsghdr *nn_cmsg_nxthdr_(const struct nn_msghdr *mhdr,
                                   const struct nn_cmsghdr *cmsg);

int nn_socket(int domain, int protocol);
int nn_close(int s);
int nn_setsockopt(int s, int level, int option, const void *optval,
                  size_t optvallen);
int nn_getsockopt(int s, int level, int option, void *optval,
                  size_t *optvallen);
int nn_bind(int s, const char *addr);
int nn_connect(int s, const char *addr);
int nn_shutdown(int s, int how);
int nn_send(int s, const void *buf, size_t len, int flags);
int nn_recv(int s, void *buf, size_t len, int flags);
int nn_sendmsg(int s, const struct nn_msghdr *msghdr, int flags);
int nn_recvmsg(int s, struct nn_msghdr *msghdr, int flags);

int nn_poll(struct nn_pollfd *fds, int nfds, int timeout);
int nn_device(int s1, int s2);
uint64_t nn_get_statistic(int s, int stat);

/* The control-message macros of nn.h, callable from Python (API mode
   compiles a small wrapper around each). */
size_t NN_CMSG_SPACE(size_t len);
size_t NN_CMSG_LEN(size_t len);
unsigned char *NN_CMSG_DATA(struct nn_cmsghdr *cmsg);
struct nn_cmsghdr *NN_CMSG_FIRSTHDR(struct nn_msghdr *mhdr);
struct nn_cmsghdr *NN_CMSG_NXTHDR(struct nn_msghdr *mhdr,
                                  struct nn_cmsghdr *cmsg);
"""


# Not API: lets the tests tell which I/O backend was compiled in.
CDEF_INTERNAL = """
const char *nn_io_backend_name(void);
"""

PORTABLE = os.environ.get("NN_PORTABLE", "") not in ("", "0")


def feature_macros():
    """Feature-test macros: GNU on Linux; on the portable path POSIX/XSI
    only, so a Linux-only call cannot slip in (other systems need none)."""
    if not PORTABLE:
        return [("_GNU_SOURCE", None)], "-std=gnu11"
    return [("NN_PORTABLE", None), ("_XOPEN_SOURCE", "700"), ("_DEFAULT_SOURCE", None)], "-std=c11"


def core_sources():
    """Every C file of the core, relative to the build directory.

    Found at build time so new source files need no edit here. setuptools
    wants relative paths (absolute ones leak into object file names).
    """
    found = sorted(glob.glob(os.path.join(CORE, "src", "**", "*.c"), recursive=True))
    return [os.path.relpath(p) for p in found]


def _rel(path):
    return os.path.relpath(path)


MACROS, STD = feature_macros()
ffibuilder = FFI()
ffibuilder.cdef(CDEF + CDEF_INTERNAL)
ffibuilder.set_source(
    "nnpy._nnpy",
    # The path named in the generated source too: switching NN_PORTABLE
    # changes it, so an in-tree build never reuses the other path's module.
    "/* core: %s path */\n" % ("portable" if PORTABLE else "native")
    + "".join("#include <nanomsg/%s>\n" % h for h in HEADERS)
    + '#include "io/loop.h"\n',
    sources=core_sources(),
    include_dirs=[_rel(os.path.join(CORE, "include")), _rel(os.path.join(CORE, "src"))],
    # NN_EXPORT stays plain `extern` so -fvisibility=hidden keeps every nn_*
    # symbol out of the dynamic table: the extension can share a process with
    # a system libnanomsg or another binding without either binding to it.
    define_macros=MACROS + [("NN_EXPORT", "extern")],
    extra_compile_args=[STD, "-fvisibility=hidden", "-O2", "-pthread"],
    extra_link_args=["-pthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
