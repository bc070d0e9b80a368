/* Shared by the end-to-end fuzz targets: a socket of each protocol with
   a live connection whose other end is a plain descriptor the target
   writes fuzzed bytes into, while the nanomsg socket is used as an
   application would (non-blocking send and recv).

   Per input: the target connects a plain socket to the nanomsg socket's
   listener (or accepts the nanomsg socket's dial), writes its bytes,
   half-closes, and reads until the nanomsg side closes the connection:
   every byte has then been judged. Oracle beyond the sanitizers: the
   nanomsg side must close within E2E_WAIT_MS of our end of stream
   (no hang), and the socket must keep working for the next input. */
#ifndef NN_FUZZ_E2E_H
#define NN_FUZZ_E2E_H

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nanomsg/bus.h"
#include "nanomsg/nn.h"
#include "nanomsg/pair.h"
#include "nanomsg/pipeline.h"
#include "nanomsg/pubsub.h"
#include "nanomsg/reqrep.h"
#include "nanomsg/survey.h"

#include "fuzz.h"

#define E2E_NPROTO 10
#define E2E_WAIT_MS 10000

static const int e2e_protos[E2E_NPROTO] = {
    NN_PAIR, NN_PUB, NN_SUB, NN_REQ, NN_REP, NN_PUSH, NN_PULL,
    NN_SURVEYOR, NN_RESPONDENT, NN_BUS};
static const int e2e_peers[E2E_NPROTO] = {
    NN_PAIR, NN_SUB, NN_PUB, NN_REP, NN_REQ, NN_PULL, NN_PUSH,
    NN_RESPONDENT, NN_SURVEYOR, NN_BUS};

/* A nanomsg socket of protocol index `i`, raw or not, set up so that a
   fuzz input finishes fast: no reconnect within an input, SUB subscribed
   to everything. */
static inline int e2e_socket(int i, int raw)
{
    int s = nn_socket(raw ? AF_SP_RAW : AF_SP, e2e_protos[i]);
    int ivl = 60000;

    FUZZ_ASSERT(s >= 0);
    FUZZ_ASSERT(nn_setsockopt(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, &ivl,
                              sizeof(ivl)) == 0);
    if (e2e_protos[i] == NN_SUB)
        FUZZ_ASSERT(nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    return s;
}

static inline void e2e_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        struct pollfd pf = {fd, POLLOUT, 0};
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            p += w;
            n -= (size_t) w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The peer may stop reading (queue full, or it failed the
               connection): give up on the rest rather than hang. */
            if (poll(&pf, 1, 200) <= 0)
                return;
        } else {
            return;   /* the nanomsg side closed: it judged the bytes */
        }
    }
}

static inline long e2e_ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long) (t.tv_sec - t0->tv_sec) * 1000 +
           (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Half-close, then read (and drop) until the nanomsg side closes; it
   must do so within E2E_WAIT_MS. Meanwhile the socket is used as an
   application would: `s` gets non-blocking recv and send calls.
   A connection at end of stream stays open until the application has
   taken the messages read before it, so waiting on the connection alone
   would mostly wait for our own next recv: we also wake on the socket's
   NN_RCVFD (where the protocol can receive); the 2 ms timeout only
   paces the sends. */
static inline void e2e_finish(int fd, int s)
{
    char buf[4096];
    struct timespec t0;
    struct pollfd pf[2] = {{fd, POLLIN, 0}, {-1, POLLIN, 0}};
    size_t sz = sizeof(pf[1].fd);

    if (nn_getsockopt(s, NN_SOL_SOCKET, NN_RCVFD, &pf[1].fd, &sz) != 0)
        pf[1].fd = -1;   /* send-only protocol: ENOPROTOOPT */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    shutdown(fd, SHUT_WR);
    for (;;) {
        void *msg;
        int rc, got = 0;
        if (e2e_ms_since(&t0) >= E2E_WAIT_MS) {
            fprintf(stderr, "connection still open %ld ms after our end of "
                    "stream\n", e2e_ms_since(&t0));
            FUZZ_ASSERT(0);
        }
        while (nn_recv(s, &msg, NN_MSG, NN_DONTWAIT) >= 0) {
            nn_freemsg(msg);
            got = 1;
        }
        /* A reply to what came in (REP, RESPONDENT: an answer on this
           very connection); REQ and SURVEYOR (EFSM, ETIMEDOUT: their
           NN_RCVFD is then readable for nothing) make a request; else
           a send now and then. */
        if (got || nn_errno() == EFSM || nn_errno() == ETIMEDOUT)
            (void) nn_send(s, "reply", 5, NN_DONTWAIT);
        rc = poll(pf, 2, 2);
        if (rc > 0 && pf[0].revents != 0) {
            ssize_t r = recv(fd, buf, sizeof(buf), 0);
            if (r <= 0)
                break;
            continue;
        }
        if (rc == 0 && !got)
            (void) nn_send(s, "reply", 5, NN_DONTWAIT);
    }
    close(fd);
    /* What arrived before the connection ended stays receivable. */
    for (int i = 0; i < 1000; i++) {
        void *msg;
        if (nn_recv(s, &msg, NN_MSG, NN_DONTWAIT) < 0)
            break;
        nn_freemsg(msg);
    }
}

#endif
