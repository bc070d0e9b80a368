/* Core behaviour of the C API over inproc: handles, options, errors,
   blocking, readiness, close, signals, threads, scale, devices. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>

#include "check.h"

#define CHECK_ERR(expr, err)                                               \
    do {                                                                   \
        errno = 0;                                                         \
        long rc_ = (long) (expr);                                          \
        if (rc_ != -1 || nn_errno() != (err)) {                            \
            fprintf(stderr, "%s:%d: %s: want -1/%s, got %ld/%s\n",         \
                    __FILE__, __LINE__, #expr, #err, rc_,                  \
                    nn_strerror(nn_errno()));                              \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void set_int(int s, int level, int opt, int v)
{
    CHECK(nn_setsockopt(s, level, opt, &v, sizeof(v)) == 0);
}

static int get_int(int s, int level, int opt)
{
    int v = -12345;
    size_t sz = sizeof(v);
    CHECK(nn_getsockopt(s, level, opt, &v, &sz) == 0);
    CHECK(sz == sizeof(int));
    return v;
}

static void test_handles(void)
{
    int a = nn_socket(AF_SP, NN_PAIR), b = nn_socket(AF_SP, NN_PAIR);
    int c = nn_socket(AF_SP, NN_PAIR);
    CHECK(a >= 0 && b == a + 1 && c == a + 2);
    CHECK(nn_close(b) == 0);
    CHECK(nn_close(a) == 0);
    int d = nn_socket(AF_SP, NN_PAIR), e = nn_socket(AF_SP, NN_PAIR);
    CHECK(d == a && e == b);   /* most recently closed first */
    CHECK(nn_close(c) == 0 && nn_close(d) == 0 && nn_close(e) == 0);
    CHECK_ERR(nn_close(c), EBADF);
    CHECK_ERR(nn_close(-1), EBADF);
    CHECK_ERR(nn_send(123456, "x", 1, 0), EBADF);
    CHECK_ERR(nn_socket(0, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(3, 0), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(AF_SP, 0), EINVAL);
    CHECK_ERR(nn_socket(AF_SP, 17), EINVAL);
}

static void test_options(void)
{
    int s = nn_socket(AF_SP, NN_PAIR);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_LINGER) == 0);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_SNDBUF) == 131072);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RCVBUF) == 131072);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_SNDTIMEO) == -1);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RCVTIMEO) == -1);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 100);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 0);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_SNDPRIO) == 8);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RCVPRIO) == 8);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_IPV4ONLY) == 1);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == 1048576);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_MAXTTL) == 8);

    set_int(s, NN_SOL_SOCKET, NN_LINGER, 5000);
    CHECK(get_int(s, NN_SOL_SOCKET, NN_LINGER) == 0);
    int v = 0;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof(v)), EINVAL);
    v = 17;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDPRIO, &v, sizeof(v)), EINVAL);
    v = 256;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_MAXTTL, &v, sizeof(v)), EINVAL);
    v = -2;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &v, sizeof(v)), EINVAL);
    v = 2;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_IPV4ONLY, &v, sizeof(v)), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, 2), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, NULL, 0), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, NULL, 4), EFAULT);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_DOMAIN, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVFD, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, 999, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_PUB, 1, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_PAIR, 1, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, -1, 1, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, -5, 1, &v, sizeof(v)), ENOPROTOOPT);

    /* A short buffer gets the low bytes and the full size back. */
    set_int(s, NN_SOL_SOCKET, NN_SNDBUF, 0x10203);
    unsigned char two[2] = { 0, 0 };
    size_t sz = 2;
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, two, &sz) == 0);
    CHECK(sz == 4);

    char name[64];
    sz = sizeof(name);
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz) == 0);
    char want[16];
    snprintf(want, sizeof(want), "%d", s);
    CHECK(sz == strlen(want) && memcmp(name, want, sz) == 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "abc", 3) == 0);
    sz = 2;
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz) == 0);
    CHECK(sz == 3 && memcmp(name, "ab", 2) == 0);
    char big[64];
    memset(big, 'x', sizeof(big));
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, big, 64), EINVAL);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, big, 63) == 0);

    /* Transport levels. */
    CHECK(get_int(s, -3, 1) == 0);        /* NN_TCP_NODELAY */
    CHECK(get_int(s, -4, 1) == 2);        /* NN_WS_MSG_TYPE binary */
    v = 3;
    CHECK_ERR(nn_setsockopt(s, -4, 1, &v, sizeof(v)), EINVAL);
    CHECK_ERR(nn_setsockopt(s, -3, 2, &v, sizeof(v)), ENOPROTOOPT);
    CHECK(nn_close(s) == 0);

    int sub = nn_socket(AF_SP, NN_SUB);
    sz = sizeof(v);
    CHECK_ERR(nn_getsockopt(sub, NN_SOL_SOCKET, NN_SNDFD, &v, &sz), ENOPROTOOPT);
    CHECK(nn_close(sub) == 0);
}

static void test_addresses(void)
{
    int s = nn_socket(AF_SP, NN_PAIR), t = nn_socket(AF_SP, NN_PAIR);
    char longaddr[200];
    memset(longaddr, 'a', sizeof(longaddr));
    memcpy(longaddr, "inproc://", 9);
    longaddr[128] = 0;
    CHECK_ERR(nn_bind(s, longaddr), ENAMETOOLONG);
    longaddr[127] = 0;
    CHECK(nn_bind(s, longaddr) == 1);
    CHECK_ERR(nn_bind(s, NULL), EINVAL);
    CHECK_ERR(nn_bind(s, "inproc"), EINVAL);
    CHECK_ERR(nn_bind(s, "inproc:/x"), EINVAL);
    CHECK_ERR(nn_bind(s, "foo://x"), EPROTONOSUPPORT);
    CHECK_ERR(nn_bind(s, "INPROC://x"), EPROTONOSUPPORT);
    CHECK(nn_bind(s, "inproc://addr-a") == 2);
    CHECK_ERR(nn_bind(t, "inproc://addr-a"), EADDRINUSE);
    CHECK(nn_connect(t, "inproc://addr-a") == 1);  /* per-socket ids */
    CHECK_ERR(nn_shutdown(s, 0), EINVAL);
    CHECK_ERR(nn_shutdown(s, 99), EINVAL);
    CHECK(nn_shutdown(s, 2) == 0);
    CHECK_ERR(nn_shutdown(s, 2), EINVAL);
    CHECK(nn_bind(t, "inproc://addr-a") == 2);     /* free again */
    CHECK(nn_close(s) == 0 && nn_close(t) == 0);
}

static int readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1;
}

static void test_blocking_and_readiness(void)
{
    int a = nn_socket(AF_SP, NN_PAIR), b = nn_socket(AF_SP, NN_PAIR);
    CHECK_ERR(nn_send(a, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(a, (char[4]){0}, 4, NN_DONTWAIT), EAGAIN);
    set_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 0);
    CHECK_ERR(nn_send(a, "x", 1, 0), ETIMEDOUT);
    set_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    long long t0 = now_ms();
    CHECK_ERR(nn_send(a, "x", 1, 0), ETIMEDOUT);
    long long dt = now_ms() - t0;
    CHECK(dt >= 90 && dt < 1000);

    int rfd = get_int(b, NN_SOL_SOCKET, NN_RCVFD);
    int sfd = get_int(a, NN_SOL_SOCKET, NN_SNDFD);
    CHECK(!readable(rfd) && !readable(sfd));
    CHECK(nn_bind(a, "inproc://ready") > 0 && nn_connect(b, "inproc://ready") > 0);
    CHECK(readable(sfd) && !readable(rfd));
    CHECK(nn_send(a, "hi", 2, 0) == 2);
    CHECK(readable(rfd));
    CHECK(readable(rfd));   /* level-triggered: still readable */
    char buf[8];
    CHECK(nn_recv(b, buf, sizeof(buf), 0) == 2 && memcmp(buf, "hi", 2) == 0);
    CHECK(!readable(rfd));

    struct nn_pollfd pf[2] = { { a, NN_POLLIN | NN_POLLOUT, 0 },
                               { b, NN_POLLIN, 0 } };
    CHECK(nn_poll(pf, 2, 0) == 1);
    CHECK(pf[0].revents == NN_POLLOUT && pf[1].revents == 0);
    CHECK(nn_send(a, "yo", 2, 0) == 2);
    CHECK(nn_poll(pf, 2, 100) == 2 && pf[1].revents == NN_POLLIN);
    pf[1].revents = 77;
    CHECK(nn_recv(b, buf, sizeof(buf), 0) == 2);
    struct nn_pollfd one = { b, NN_POLLIN, 55 };
    CHECK(nn_poll(&one, 1, 50) == 0 && one.revents == 55);  /* untouched */
    struct nn_pollfd bad = { 9999, NN_POLLIN, 0 };
    CHECK_ERR(nn_poll(&bad, 1, 0), EBADF);

    /* Truncating receive reports the full size. */
    CHECK(nn_send(a, "0123456789", 10, 0) == 10);
    CHECK(nn_recv(b, buf, 4, 0) == 10 && memcmp(buf, "0123", 4) == 0);
    CHECK(nn_close(a) == 0 && nn_close(b) == 0);
}

struct blocked {
    int s;
    int rc, err;
    long long took;
};

static void *recv_blocked(void *arg)
{
    struct blocked *b = arg;
    char buf[8];
    long long t0 = now_ms();
    b->rc = nn_recv(b->s, buf, sizeof(buf), 0);
    b->err = nn_errno();
    b->took = now_ms() - t0;
    return NULL;
}

static void on_usr1(int sig) { (void) sig; }

static void test_close_wakes_and_eintr(void)
{
    struct blocked b = { .s = nn_socket(AF_SP, NN_PAIR) };
    pthread_t t;
    pthread_create(&t, NULL, recv_blocked, &b);
    usleep(100 * 1000);
    CHECK(nn_close(b.s) == 0);
    pthread_join(t, NULL);
    CHECK(b.rc == -1 && b.err == EBADF && b.took < 1000);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;   /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, NULL);
    struct blocked c = { .s = nn_socket(AF_SP, NN_PULL) };
    pthread_create(&t, NULL, recv_blocked, &c);
    usleep(100 * 1000);
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    CHECK(c.rc == -1 && c.err == EINTR);
    CHECK(nn_close(c.s) == 0);
}

struct worker {
    int s, n;
    int ok;
};

static void *push_n(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->n; i++)
        if (nn_send(w->s, &i, sizeof(i), 0) == sizeof(i))
            w->ok++;
    return NULL;
}

static void *pull_n(void *arg)
{
    struct worker *w = arg;
    int v;
    for (int i = 0; i < w->n; i++)
        if (nn_recv(w->s, &v, sizeof(v), 0) == sizeof(v))
            w->ok++;
    return NULL;
}

static void test_threads(void)
{
    int push = nn_socket(AF_SP, NN_PUSH), pull = nn_socket(AF_SP, NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    set_int(pull, NN_SOL_SOCKET, NN_RCVBUF, 256);   /* force back-pressure */
    CHECK(nn_bind(pull, "inproc://threads") > 0);
    CHECK(nn_connect(push, "inproc://threads") > 0);
    enum { T = 4, N = 5000 };
    pthread_t th[2 * T];
    struct worker w[2 * T];
    for (int i = 0; i < T; i++) {
        w[i] = (struct worker){ push, N, 0 };
        w[T + i] = (struct worker){ pull, N, 0 };
        pthread_create(&th[i], NULL, push_n, &w[i]);
        pthread_create(&th[T + i], NULL, pull_n, &w[T + i]);
    }
    int sent = 0, got = 0;
    for (int i = 0; i < 2 * T; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < T; i++) {
        sent += w[i].ok;
        got += w[T + i].ok;
    }
    CHECK(sent == T * N && got == T * N);
    CHECK(nn_get_statistic(pull, NN_STAT_MESSAGES_RECEIVED) == (uint64_t) T * N);
    CHECK(nn_get_statistic(push, NN_STAT_BYTES_SENT) == (uint64_t) T * N * 4);
    CHECK(nn_get_statistic(push, NN_STAT_CURRENT_CONNECTIONS) == 1);
    CHECK(nn_get_statistic(push, NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    /* As libnanomsg: inproc links count as established on the connector
       only. */
    CHECK(nn_get_statistic(pull, NN_STAT_ACCEPTED_CONNECTIONS) == 0);
    CHECK(nn_get_statistic(pull, NN_STAT_ESTABLISHED_CONNECTIONS) == 0);
    CHECK(nn_get_statistic(push, 9999) == (uint64_t) -1 && nn_errno() == EINVAL);
    CHECK(nn_close(push) == 0 && nn_close(pull) == 0);
}

struct race {
    int s;
    char addr[32];
    pthread_barrier_t go;
};

static void *race_bind(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->go);
    nn_bind(r->s, r->addr);   /* may fail with EBADF: closed first */
    return NULL;
}

static void *race_close(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->go);
    CHECK(nn_close(r->s) == 0);
    return NULL;
}

/* A bind racing nn_close must never leave the endpoint behind: the name is
   free again once nn_close has returned. */
static void test_bind_close_race(void)
{
    for (int i = 0; i < 3000; i++) {
        struct race r = { .s = nn_socket(AF_SP, NN_PULL) };
        snprintf(r.addr, sizeof(r.addr), "inproc://race-%d", i);
        pthread_barrier_init(&r.go, NULL, 2);
        pthread_t t1, t2;
        pthread_create(&t1, NULL, race_bind, &r);
        pthread_create(&t2, NULL, race_close, &r);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        pthread_barrier_destroy(&r.go);
        int again = nn_socket(AF_SP, NN_PULL);
        int rc = nn_bind(again, r.addr);
        CHECK(rc > 0);
        CHECK(nn_close(again) == 0);
        if (rc < 0)
            return;
    }
}

static void test_scale(void)
{
    enum { N = 20000 };
    static int s[N];
    for (int i = 0; i < N; i++) {
        s[i] = nn_socket(AF_SP, NN_PAIR);
        if (s[i] < 0) {
            CHECK(s[i] >= 0);
            return;
        }
    }
    for (int i = 0; i < N; i++)
        CHECK(nn_close(s[i]) == 0);
}

static void test_msg_api(void)
{
    int a = nn_socket(AF_SP, NN_PAIR), b = nn_socket(AF_SP, NN_PAIR);
    set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    CHECK(nn_bind(a, "inproc://msgapi") > 0 && nn_connect(b, "inproc://msgapi") > 0);

    void *m = nn_allocmsg(3, 0);
    memcpy(m, "abc", 3);
    CHECK(nn_send(a, &m, NN_MSG, 0) == 3);
    void *r = NULL;
    CHECK(nn_recv(b, &r, NN_MSG, 0) == 3 && memcmp(r, "abc", 3) == 0);
    CHECK(nn_freemsg(r) == 0);
    CHECK_ERR(nn_send(a, NULL, 3, 0), EFAULT);
    void *nul = NULL;
    CHECK_ERR(nn_send(a, &nul, NN_MSG, 0), EFAULT);
    CHECK(nn_allocmsg(1, 1) == NULL && nn_errno() == EINVAL);

    struct nn_iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    struct nn_msghdr h = { iov, 3, NULL, 0 };
    CHECK(nn_sendmsg(a, &h, 0) == 5);
    char p1[2], p2[10];
    struct nn_iovec riov[2] = { { p1, 2 }, { p2, 10 } };
    void *ctl = NULL;
    struct nn_msghdr rh = { riov, 2, &ctl, NN_MSG };
    CHECK(nn_recvmsg(b, &rh, 0) == 5);
    CHECK(memcmp(p1, "ab", 2) == 0 && memcmp(p2, "cde", 3) == 0);
    CHECK(ctl != NULL);
    if (ctl) {
        struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&rh);
        CHECK(c && c->cmsg_level == PROTO_SP && c->cmsg_type == SP_HDR);
        CHECK(c && c->cmsg_len == NN_CMSG_SPACE(sizeof(size_t)));
        nn_freemsg(ctl);
    }
    /* A failing recvmsg hands out no control chunk (the message is lost,
       as in the reference). */
    CHECK(nn_send(a, "zz", 2, 0) == 2);
    char z1[1];
    struct nn_iovec mixed[2] = { { z1, 1 }, { NULL, NN_MSG } };
    void *ctl2 = NULL;
    struct nn_msghdr mh = { mixed, 2, &ctl2, NN_MSG };
    CHECK_ERR(nn_recvmsg(b, &mh, 0), EINVAL);
    CHECK(ctl2 == NULL);
    CHECK_ERR(nn_sendmsg(a, NULL, 0), EINVAL);
    h.msg_iovlen = -1;
    CHECK_ERR(nn_sendmsg(a, &h, 0), EMSGSIZE);
    struct nn_iovec bad = { NULL, NN_MSG };
    struct nn_iovec two[2] = { { "x", 1 }, bad };
    struct nn_msghdr hb = { two, 2, NULL, 0 };
    CHECK_ERR(nn_sendmsg(a, &hb, 0), EINVAL);
    CHECK(nn_close(a) == 0 && nn_close(b) == 0);
}

struct dev {
    int s1, s2, rc, err;
};

static void *run_device(void *arg)
{
    struct dev *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    return NULL;
}

static void test_device(void)
{
    int xrep = nn_socket(AF_SP_RAW, NN_REP), xreq = nn_socket(AF_SP_RAW, NN_REQ);
    int req = nn_socket(AF_SP, NN_REQ), rep = nn_socket(AF_SP, NN_REP);
    CHECK(nn_bind(xrep, "inproc://dev-front") > 0);
    CHECK(nn_bind(xreq, "inproc://dev-back") > 0);
    CHECK(nn_connect(req, "inproc://dev-front") > 0);
    CHECK(nn_connect(rep, "inproc://dev-back") > 0);
    set_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    set_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    struct dev d = { xrep, xreq, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, run_device, &d);
    char buf[16];
    for (int i = 0; i < 3; i++) {
        CHECK(nn_send(req, "ping", 4, 0) == 4);
        CHECK(nn_recv(rep, buf, sizeof(buf), 0) == 4 && memcmp(buf, "ping", 4) == 0);
        CHECK(nn_send(rep, "pong", 4, 0) == 4);
        CHECK(nn_recv(req, buf, sizeof(buf), 0) == 4 && memcmp(buf, "pong", 4) == 0);
    }
    CHECK(nn_close(xrep) == 0 && nn_close(xreq) == 0);
    pthread_join(t, NULL);
    CHECK(d.rc == -1 && d.err == EBADF);
    CHECK(nn_close(req) == 0 && nn_close(rep) == 0);

    int c1 = nn_socket(AF_SP, NN_PAIR), r1 = nn_socket(AF_SP_RAW, NN_PAIR);
    int p1 = nn_socket(AF_SP_RAW, NN_PUSH), p2 = nn_socket(AF_SP_RAW, NN_PUSH);
    int s1 = nn_socket(AF_SP_RAW, NN_SUB);
    CHECK_ERR(nn_device(-1, -1), EBADF);
    CHECK_ERR(nn_device(c1, r1), EINVAL);   /* cooked */
    CHECK_ERR(nn_device(r1, s1), EINVAL);   /* families differ */
    CHECK_ERR(nn_device(p1, p2), EINVAL);   /* nobody receives */
    CHECK_ERR(nn_device(-1, c1), EINVAL);   /* loopback needs raw */
    CHECK_ERR(nn_device(r1, 4242), EBADF);
    CHECK(nn_close(c1) == 0 && nn_close(r1) == 0 && nn_close(p1) == 0);
    CHECK(nn_close(p2) == 0 && nn_close(s1) == 0);
}

int main(void)
{
    test_handles();
    test_options();
    test_addresses();
    test_blocking_and_readiness();
    test_close_wakes_and_eintr();
    test_threads();
    test_bind_close_race();
    test_scale();
    test_msg_api();
    test_device();
    if (failures) {
        fprintf(stderr, "test_core: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_core: ok\n");
    return 0;
}
