/* libFuzzer target: the public C API driven by arbitrary bytes. Each input
   is a program of up to 64 operations on up to four sockets: create,
   close, bind, connect, setsockopt/getsockopt with any level, option and
   value, shutdown, non-blocking send and recv, poll, statistics and the
   symbol/error tables. Every socket left open is closed at the end.

   Oracles: no crash, leak or sanitizer report; calls fail only with
   errno values nn.h documents; getsockopt never claims more bytes than
   the buffer holds. sandbox.c keeps every address to loopback (ports this
   process bound) and to this run's directory. */
#include <errno.h>
#include <sys/socket.h>

#include "nanomsg/bus.h"
#include "nanomsg/inproc.h"
#include "nanomsg/ipc.h"
#include "nanomsg/nn.h"
#include "nanomsg/pair.h"
#include "nanomsg/pipeline.h"
#include "nanomsg/pubsub.h"
#include "nanomsg/reqrep.h"
#include "nanomsg/survey.h"
#include "nanomsg/tcp.h"
#include "nanomsg/ws.h"

#include "fuzz.h"
#include "sandbox.h"

#define NSOCK 4

static const int protos[] = {NN_PAIR, NN_PUB, NN_SUB, NN_REQ, NN_REP,
                             NN_PUSH, NN_PULL, NN_SURVEYOR, NN_RESPONDENT,
                             NN_BUS};
static const int levels[] = {NN_SOL_SOCKET, NN_REQ, NN_SUB, NN_SURVEYOR,
                             NN_TCP, NN_IPC, NN_WS, NN_INPROC, NN_PAIR,
                             NN_BUS};

/* errno values a call of the API may report. */
static void errno_ok(int e)
{
    switch (e) {
    case EBADF: case EINVAL: case ENOPROTOOPT: case EAFNOSUPPORT:
    case EPROTONOSUPPORT: case ENAMETOOLONG: case ENODEV: case EADDRINUSE:
    case EADDRNOTAVAIL: case EACCES: case ENOENT: case ENOTDIR: case EISDIR:
    case ELOOP: case EAGAIN: case EFSM: case ENOTSUP: case EMFILE:
    case ETIMEDOUT: case EFAULT: case ETERM: case EINTR: case EMSGSIZE:
        return;
    default:
        fprintf(stderr, "unexpected errno %d (%s)\n", e, nn_strerror(e));
        FUZZ_ASSERT(0);
    }
}

static void address(struct fz *f, char *addr, size_t size)
{
    char *text = fz_cstr(f, NN_SOCKADDR_MAX);
    switch (fz_u8(f) % 8) {
    case 0: snprintf(addr, size, "tcp://%s", text); break;
    case 1: snprintf(addr, size, "ws://%s", text); break;
    case 2: snprintf(addr, size, "inproc://%s", text); break;
    case 3: snprintf(addr, size, "ipc://%s/%s", fuzz_sandbox_dir(), text); break;
    case 4: /* the last tcp/ws port bound: a real connection */
        snprintf(addr, size, "%s://127.0.0.1:%u%s", text[0] & 1 ? "ws" : "tcp",
                 fuzz_sandbox_port(), text);
        break;
    default: snprintf(addr, size, "%s", text); break;
    }
    free(text);
}

static void op(struct fz *f, int *socks, int *eids)
{
    uint8_t code = fz_u8(f), which = fz_u8(f);
    int *s = &socks[which % NSOCK];
    char addr[2 * NN_SOCKADDR_MAX + 64];
    size_t n;
    int rc;

    switch (code % 12) {
    case 0:
        if (*s >= 0)
            nn_close(*s);
        rc = (which & 0x80) ? nn_socket((which & 0x40) ? AF_SP_RAW : AF_SP,
                                        protos[fz_u8(f) % 10])
                            : nn_socket(fz_u8(f) - 8, fz_u16(f));
        if (rc < 0)
            errno_ok(nn_errno());
        *s = rc;
        break;
    case 1:
        if (nn_close(*s) < 0)
            errno_ok(nn_errno());
        *s = -1;
        break;
    case 2:
    case 3:
        address(f, addr, sizeof(addr));
        rc = code % 12 == 2 ? nn_bind(*s, addr) : nn_connect(*s, addr);
        if (rc < 0)
            errno_ok(nn_errno());
        else
            eids[which % NSOCK] = rc;
        break;
    case 4: {
        int level = (which & 0x10) ? (int8_t) fz_u8(f) : levels[fz_u8(f) % 10];
        int opt = (int8_t) fz_u8(f);
        const uint8_t *v = fz_take(f, fz_u8(f) % 40, &n);
        char *val = fz_dup(v, n);
        if (nn_setsockopt(*s, level, opt, (which & 0x20) ? NULL : val, n) < 0)
            errno_ok(nn_errno());
        free(val);
        break;
    }
    case 5: {
        int level = (which & 0x10) ? (int8_t) fz_u8(f) : levels[fz_u8(f) % 10];
        int opt = (int8_t) fz_u8(f);
        size_t len = fz_u8(f) % 160, got = len;
        char *buf = malloc(len ? len : 1);
        if (nn_getsockopt(*s, level, opt, buf, &got) < 0)
            errno_ok(nn_errno());
        free(buf);
        break;
    }
    case 6:
        if (nn_shutdown(*s, (which & 0x20) ? (int) fz_u8(f) - 2
                                           : eids[which % NSOCK]) < 0)
            errno_ok(nn_errno());
        break;
    case 7: {
        const uint8_t *m = fz_take(f, fz_u8(f), &n);
        if ((which & 0x20) != 0) {
            void *msg = nn_allocmsg(n, 0);
            if (msg == NULL)
                break;
            memcpy(msg, m, n);
            if (nn_send(*s, &msg, NN_MSG, NN_DONTWAIT) < 0) {
                errno_ok(nn_errno());
                nn_freemsg(msg);
            }
        } else if (nn_send(*s, m, n, NN_DONTWAIT) < 0) {
            errno_ok(nn_errno());
        }
        break;
    }
    case 8: {
        char buf[64];
        void *msg = NULL;
        rc = (which & 0x20) ? nn_recv(*s, &msg, NN_MSG, NN_DONTWAIT)
                            : nn_recv(*s, buf, sizeof(buf), NN_DONTWAIT);
        if (rc < 0)
            errno_ok(nn_errno());
        else if (msg != NULL)
            nn_freemsg(msg);
        break;
    }
    case 9: {
        struct nn_pollfd p[NSOCK];
        for (int i = 0; i < NSOCK; i++) {
            p[i].fd = socks[i];
            p[i].events = (short) (fz_u8(f) & 3);
        }
        if (nn_poll(p, NSOCK, 0) < 0)
            errno_ok(nn_errno());
        break;
    }
    case 10: {
        struct nn_symbol_properties sp;
        int v, i = (int) fz_u16(f) - 8;
        (void) nn_symbol(i, &v);
        (void) nn_symbol_info(i, &sp, (int) (fz_u8(f) % (sizeof(sp) + 1)));
        FUZZ_ASSERT(nn_strerror(i) != NULL);
        break;
    }
    default:
        (void) nn_get_statistic(*s, (int) fz_u16(f));
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = {data, size};
    int socks[NSOCK] = {-1, -1, -1, -1}, eids[NSOCK] = {0, 0, 0, 0};

    for (int i = 0; i < 64 && f.left > 0; i++)
        op(&f, socks, eids);
    for (int i = 0; i < NSOCK; i++)
        if (socks[i] >= 0)
            nn_close(socks[i]);
    return 0;
}
