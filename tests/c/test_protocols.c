/* test_protocols.c - every scalability protocol, cooked and raw, over
   inproc through the public API (PROTOCOLS.md). Every receive has a
   timeout; an alarm ends the run if something still hangs.
   Exit status 0 means every check passed. */
#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The call failed with exactly this error. */
#define FAILS(call, err) CHECK((call) < 0 && nn_errno() == (err))

#define WAIT_MS 2000   /* a message that must come */
#define QUIET_MS 150   /* a message that must not come */

/* --- helpers ------------------------------------------------------------ */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void set_int(int s, int level, int opt, int v)
{
    CHECK(nn_setsockopt(s, level, opt, &v, sizeof v) == 0);
}

static int sock(int domain, int type)
{
    int s = nn_socket(domain, type);
    CHECK(s >= 0);
    if (s >= 0) {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, WAIT_MS);
        set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, WAIT_MS);
    }
    return s;
}

static void rcvtimeo(int s, int ms)
{
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, ms);
}

static void put(int s, const char *str)
{
    int n = (int) strlen(str);
    int rc = nn_send(s, str, (size_t) n, 0);
    if (rc != n)
        fprintf(stderr, "send of '%s' on %d: rc %d\n", str, s, rc);
    CHECK(rc == n);
}

/* Receive one message and compare it with `want`. */
static void get(int s, const char *want)
{
    char buf[256];
    int rc = nn_recv(s, buf, sizeof buf, 0);
    int ok = rc == (int) strlen(want) && memcmp(buf, want, (size_t) rc) == 0;
    if (!ok)
        fprintf(stderr, "recv on %d: wanted '%s', rc %d\n", s, want, rc);
    CHECK(ok);
}

/* Nothing arrives within QUIET_MS. */
static void none(int s)
{
    char buf[256];
    int old;
    size_t len = sizeof old;
    nn_getsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &old, &len);
    rcvtimeo(s, QUIET_MS);
    int rc = nn_recv(s, buf, sizeof buf, 0);
    if (rc >= 0)
        fprintf(stderr, "recv on %d: unexpected '%.*s'\n", s, rc, buf);
    CHECK(rc < 0 && nn_errno() == ETIMEDOUT);
    rcvtimeo(s, old);
}

/* Receive into `out`, no comparison; returns the length or -1. */
static int take(int s, char *out, size_t cap)
{
    return nn_recv(s, out, cap, 0);
}

static void sendhdr(int s, const void *hdr, size_t hlen, const char *body,
                    int want_rc)
{
    unsigned char ctl[NN_CMSG_SPACE(sizeof(size_t) + 64)];
    struct nn_iovec iov = { (void *) body, strlen(body) };
    struct nn_msghdr mh = { &iov, 1, ctl,
                            NN_CMSG_SPACE(sizeof(size_t) + hlen) };
    struct nn_cmsghdr *c = (struct nn_cmsghdr *) (void *) ctl;

    memset(ctl, 0, sizeof ctl);
    c->cmsg_len = NN_CMSG_LEN(sizeof(size_t) + hlen);
    c->cmsg_level = PROTO_SP;
    c->cmsg_type = SP_HDR;
    memcpy(NN_CMSG_DATA(c), &hlen, sizeof hlen);
    memcpy(NN_CMSG_DATA(c) + sizeof hlen, hdr, hlen);
    int rc = nn_sendmsg(s, &mh, 0);
    if (want_rc >= 0)
        CHECK(rc == (int) strlen(body));
    else
        CHECK(rc < 0 && nn_errno() == -want_rc);
}

/* Receive with the SP header; returns the body length or -1. */
static int recvhdr(int s, unsigned char *hdr, size_t *hlen, char *body,
                   size_t cap)
{
    unsigned char ctl[256];
    struct nn_iovec iov = { body, cap };
    struct nn_msghdr mh = { &iov, 1, ctl, sizeof ctl };
    int rc = nn_recvmsg(s, &mh, 0);
    *hlen = (size_t) -1;
    if (rc < 0)
        return rc;
    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&mh);
    while (c && !(c->cmsg_level == PROTO_SP && c->cmsg_type == SP_HDR))
        c = NN_CMSG_NXTHDR(&mh, c);
    CHECK(c != NULL);
    if (c) {
        memcpy(hlen, NN_CMSG_DATA(c), sizeof *hlen);
        if (*hlen <= 64)
            memcpy(hdr, NN_CMSG_DATA(c) + sizeof(size_t), *hlen);
    }
    return rc;
}

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
           ((uint32_t) p[2] << 8) | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char) (v >> 24);
    p[1] = (unsigned char) (v >> 16);
    p[2] = (unsigned char) (v >> 8);
    p[3] = (unsigned char) v;
}

/* Readiness as seen through NN_RCVFD / NN_SNDFD (NN_POLLIN / NN_POLLOUT). */
static int ready(int s, int ms)
{
    struct nn_pollfd pfd = { s, NN_POLLIN | NN_POLLOUT, 0 };
    int rc = nn_poll(&pfd, 1, ms);
    return rc < 0 ? -1 : pfd.revents;
}

/* Wait until a recv would not block. */
static int readable(int s, int ms)
{
    struct nn_pollfd pfd = { s, NN_POLLIN, 0 };
    return nn_poll(&pfd, 1, ms) == 1 && (pfd.revents & NN_POLLIN);
}

/* Wait until a send would not block. */
static int writable(int s, int ms)
{
    struct nn_pollfd pfd = { s, NN_POLLOUT, 0 };
    return nn_poll(&pfd, 1, ms) == 1 && (pfd.revents & NN_POLLOUT);
}

static void closeall(int n, const int *v)
{
    for (int i = 0; i < n; i++)
        CHECK(nn_close(v[i]) == 0);
}

/* --- PAIR --------------------------------------------------------------- */

static void test_pair(void)
{
    int a = sock(AF_SP, NN_PAIR), b = sock(AF_SP, NN_PAIR);
    int c = sock(AF_SP, NN_PAIR);

    FAILS(nn_send(a, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK(nn_bind(a, "inproc://t_pair") >= 0);
    CHECK(nn_connect(b, "inproc://t_pair") >= 0);
    put(b, "hello");
    get(a, "hello");
    put(a, "back");
    get(b, "back");
    CHECK(ready(a, 0) == NN_POLLOUT);

    /* A second peer is refused: it cannot send, a gets nothing from it. */
    CHECK(nn_connect(c, "inproc://t_pair") >= 0);
    sleep_ms(20);
    FAILS(nn_send(c, "intruder", 8, NN_DONTWAIT), EAGAIN);
    none(a);
    FAILS(nn_setsockopt(a, NN_PAIR, 1, "x", 1), ENOPROTOOPT);

    /* The header given by SP_HDR travels in front of the body. */
    sendhdr(b, "\1\2\3\4", 4, "hd", 0);
    get(a, "\1\2\3\4hd");

    /* The refused peer takes over when the first goes away. */
    CHECK(nn_close(b) == 0);
    int ok = 0;
    for (int i = 0; i < 100 && !ok; i++) {
        ok = nn_send(c, "second", 6, NN_DONTWAIT) == 6;
        if (!ok)
            sleep_ms(20);
    }
    CHECK(ok);
    if (ok)
        get(a, "second");
    int v[] = { a, c };
    closeall(2, v);
}

/* --- PUB / SUB ---------------------------------------------------------- */

static void test_pubsub(void)
{
    int pub = sock(AF_SP, NN_PUB), s1 = sock(AF_SP, NN_SUB);
    int s2 = sock(AF_SP, NN_SUB), s3 = sock(AF_SP, NN_SUB);
    int xs = sock(AF_SP_RAW, NN_SUB);
    char buf[16];
    size_t len = sizeof buf;

    /* No subscriber at all: the send still succeeds. */
    put(pub, "nobody");
    FAILS(nn_recv(pub, buf, sizeof buf, 0), ENOTSUP);
    FAILS(nn_send(s1, "x", 1, 0), ENOTSUP);
    FAILS(nn_getsockopt(s1, NN_SUB, NN_SUB_SUBSCRIBE, buf, &len),
          ENOPROTOOPT);
    FAILS(nn_setsockopt(s1, NN_SUB, NN_SUB_UNSUBSCRIBE, "zz", 2), EINVAL);
    FAILS(nn_setsockopt(s1, NN_SUB, NN_SUB_UNSUBSCRIBE, "", 0), EINVAL);
    FAILS(nn_setsockopt(s1, NN_SUB, 99, "", 0), ENOPROTOOPT);

    CHECK(nn_bind(pub, "inproc://t_pub") >= 0);
    CHECK(nn_connect(s1, "inproc://t_pub") >= 0);
    CHECK(nn_connect(s2, "inproc://t_pub") >= 0);
    CHECK(nn_connect(s3, "inproc://t_pub") >= 0);
    CHECK(nn_connect(xs, "inproc://t_pub") >= 0);
    CHECK(nn_setsockopt(s1, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2) == 0);
    CHECK(nn_setsockopt(s2, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    CHECK(nn_setsockopt(xs, NN_SUB, NN_SUB_SUBSCRIBE, "x", 1) == 0);
    sleep_ms(20);

    const char *msgs[] = { "a", "abc", "xyz", "", "abd" };
    for (int i = 0; i < 5; i++)
        put(pub, msgs[i]);
    get(s1, "abc");
    get(s1, "abd");
    none(s1);
    for (int i = 0; i < 5; i++)
        get(s2, msgs[i]);
    none(s3);   /* no subscription: nothing */
    unsigned char hdr[64];
    size_t hlen;
    CHECK(recvhdr(xs, hdr, &hlen, buf, sizeof buf) == 3 && hlen == 0 &&
          memcmp(buf, "xyz", 3) == 0);
    none(xs);

    /* Reference counted subscriptions. */
    CHECK(nn_setsockopt(s1, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2) == 0);
    CHECK(nn_setsockopt(s1, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2) == 0);
    put(pub, "ab1");
    get(s1, "ab1");
    CHECK(nn_setsockopt(s1, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2) == 0);
    FAILS(nn_setsockopt(s1, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2), EINVAL);
    put(pub, "ab2");
    none(s1);
    /* Binary-safe prefixes. */
    CHECK(nn_setsockopt(s1, NN_SUB, NN_SUB_SUBSCRIBE, "\0\1", 2) == 0);
    CHECK(nn_send(pub, "\0\1z", 3, 0) == 3);
    CHECK(nn_send(pub, "\0\2z", 3, 0) == 3);
    CHECK(take(s1, buf, sizeof buf) == 3 && buf[1] == 1);
    none(s1);

    /* PUB readiness: always sendable; it has no NN_RCVFD to poll. */
    CHECK(writable(pub, 0));
    int v[] = { pub, s1, s2, s3, xs };
    closeall(5, v);
}

/* --- REQ / REP ---------------------------------------------------------- */

static void test_reqrep(void)
{
    int req = sock(AF_SP, NN_REQ), rep = sock(AF_SP, NN_REP);
    char buf[64];
    int v;
    size_t len;

    FAILS(nn_recv(req, buf, sizeof buf, 0), EFSM);
    FAILS(nn_send(rep, "x", 1, 0), EFSM);
    CHECK(ready(req, 0) == NN_POLLOUT);
    CHECK(ready(rep, 0) == 0);

    len = sizeof v;
    CHECK(nn_getsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, &len) == 0 &&
          v == 60000 && len == sizeof v);
    len = 2;
    FAILS(nn_getsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, &len), EINVAL);
    v = -1;
    FAILS(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v),
          EINVAL);
    FAILS(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, 2), EINVAL);
    FAILS(nn_setsockopt(req, NN_REQ, 2, &v, sizeof v), ENOPROTOOPT);
    FAILS(nn_setsockopt(rep, NN_REP, 1, &v, sizeof v), ENOPROTOOPT);

    /* A request sent before any peer waits for one. */
    put(req, "early");
    CHECK(nn_bind(rep, "inproc://t_req") >= 0);
    CHECK(nn_connect(req, "inproc://t_req") >= 0);
    get(rep, "early");
    CHECK(ready(rep, 0) == NN_POLLOUT);
    CHECK(ready(req, 0) == NN_POLLOUT);
    put(rep, "early-reply");
    CHECK(readable(req, WAIT_MS));
    CHECK(ready(req, 0) == (NN_POLLIN | NN_POLLOUT));
    get(req, "early-reply");
    FAILS(nn_recv(req, buf, sizeof buf, 0), EFSM);
    FAILS(nn_send(rep, "again", 5, 0), EFSM);

    /* Cooked REQ/REP refuse an SP header from the application. */
    sendhdr(req, "\x80\0\0\1", 4, "h", -EINVAL);

    /* A new request abandons the old one: its late reply is dropped. */
    put(req, "A");
    put(req, "B");
    get(rep, "A");
    put(rep, "reply-A");
    get(rep, "B");
    put(rep, "reply-B");
    get(req, "reply-B");

    /* An unanswered request is resent on the timer, with the same id. */
    v = 100;
    CHECK(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v) == 0);
    put(req, "R");
    get(rep, "R");
    long t0 = now_ms();
    get(rep, "R");      /* the resend; the first one is abandoned */
    CHECK(now_ms() - t0 >= 50);
    put(rep, "reply-R");
    get(req, "reply-R");
    none(rep);          /* the timer stopped with the reply */

    /* A recv before the request is answered blocks (DONTWAIT: EAGAIN). */
    v = 60000;
    CHECK(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v) == 0);
    put(req, "S");
    FAILS(nn_recv(req, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    rcvtimeo(req, 50);
    FAILS(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    rcvtimeo(req, WAIT_MS);
    get(rep, "S");

    /* A new recv on REP abandons the pending request silently. */
    put(req, "T");
    get(rep, "T");
    put(rep, "reply-T");
    get(req, "reply-T");

    /* The request goes elsewhere at once when its peer disappears. */
    int rep2 = sock(AF_SP, NN_REP);
    CHECK(nn_bind(rep2, "inproc://t_req2") >= 0);
    CHECK(nn_connect(req, "inproc://t_req2") >= 0);
    sleep_ms(20);
    put(req, "U");
    rcvtimeo(rep, 200);
    rcvtimeo(rep2, 200);
    int got1 = take(rep, buf, sizeof buf);
    int got2 = take(rep2, buf, sizeof buf);
    CHECK((got1 == 1) != (got2 == 1));
    rcvtimeo(rep, WAIT_MS);
    rcvtimeo(rep2, WAIT_MS);
    int gone = got1 == 1 ? rep : rep2, other = got1 == 1 ? rep2 : rep;
    CHECK(nn_close(gone) == 0);
    get(other, "U");
    put(other, "reply-U");
    get(req, "reply-U");

    /* Load balance over two REPs. */
    int rep3 = sock(AF_SP, NN_REP);
    const char *addr = other == rep ? "inproc://t_req2" : "inproc://t_req";
    CHECK(nn_bind(rep3, addr) >= 0);
    CHECK(nn_connect(req, addr) >= 0);
    sleep_ms(20);
    int seen_other = 0, seen_rep3 = 0;
    for (int i = 0; i < 4; i++) {
        put(req, "L");
        struct nn_pollfd pf[2] = { { other, NN_POLLIN, 0 },
                                   { rep3, NN_POLLIN, 0 } };
        CHECK(nn_poll(pf, 2, WAIT_MS) == 1);
        int r = pf[0].revents ? other : rep3;
        seen_other += r == other;
        seen_rep3 += r == rep3;
        get(r, "L");
        put(r, "l");
        get(req, "l");
    }
    CHECK(seen_other == 2 && seen_rep3 == 2);
    CHECK(nn_get_statistic(req, NN_STAT_CURRENT_SND_PRIORITY) == 8);

    int vv[] = { req, other, rep3 };
    closeall(3, vv);
}

/* Raw REQ against cooked REP, raw REP against cooked REQ: headers as
   SP_HDR, NN_MAXTTL enforced. */
static void test_reqrep_raw(void)
{
    int xreq = sock(AF_SP_RAW, NN_REQ), rep = sock(AF_SP, NN_REP);
    int req = sock(AF_SP, NN_REQ), xrep = sock(AF_SP_RAW, NN_REP);
    unsigned char hdr[64], h[64];
    size_t hlen;
    char buf[64];
    int v = 1;

    FAILS(nn_setsockopt(xreq, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v),
          ENOPROTOOPT);
    FAILS(nn_send(xreq, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK(nn_bind(rep, "inproc://t_xreq") >= 0);
    CHECK(nn_connect(xreq, "inproc://t_xreq") >= 0);
    sleep_ms(20);

    put_be32(h, 0x80000005u);
    sendhdr(xreq, h, 4, "q", 0);
    get(rep, "q");
    put(rep, "a");
    CHECK(recvhdr(xreq, hdr, &hlen, buf, sizeof buf) == 1 && hlen == 4 &&
          be32(hdr) == 0x80000005u && buf[0] == 'a');

    /* Backtrace of 8 words passes NN_MAXTTL 8; 9 does not. */
    for (int i = 0; i < 7; i++)
        put_be32(h + 4 * i, (uint32_t) i);
    put_be32(h + 28, 0x80000006u);
    sendhdr(xreq, h, 32, "eight", 0);
    get(rep, "eight");
    put(rep, "ok8");
    /* The raw REQ splits exactly 4 bytes: the rest of the stack stays in
       the body. */
    CHECK(recvhdr(xreq, hdr, &hlen, buf, sizeof buf) == 31 && hlen == 4 &&
          be32(hdr) == 0 && be32((unsigned char *) buf + 24) == 0x80000006u &&
          memcmp(buf + 28, "ok8", 3) == 0);
    for (int i = 0; i < 8; i++)
        put_be32(h + 4 * i, (uint32_t) i);
    put_be32(h + 32, 0x80000007u);
    sendhdr(xreq, h, 36, "nine", 0);
    none(rep);
    /* No end-of-stack word at all: dropped too. */
    put_be32(h, 1);
    sendhdr(xreq, h, 4, "noend", 0);
    none(rep);
    set_int(rep, NN_SOL_SOCKET, NN_MAXTTL, 9);
    for (int i = 0; i < 8; i++)
        put_be32(h + 4 * i, (uint32_t) i);
    put_be32(h + 32, 0x80000007u);
    sendhdr(xreq, h, 36, "nine", 0);
    get(rep, "nine");

    /* Raw REP: hop id + request id, reply routed by the hop id. */
    CHECK(nn_bind(xrep, "inproc://t_xrep") >= 0);
    CHECK(nn_connect(req, "inproc://t_xrep") >= 0);
    CHECK(ready(xrep, 0) == NN_POLLOUT);
    put(req, "ask");
    CHECK(recvhdr(xrep, hdr, &hlen, buf, sizeof buf) == 3 && hlen == 8 &&
          memcmp(buf, "ask", 3) == 0);
    CHECK(!(be32(hdr) & 0x80000000u) && (be32(hdr + 4) & 0x80000000u));
    sendhdr(xrep, hdr, hlen, "answer", 0);
    get(req, "answer");
    /* Unknown hop, short header: dropped, the send still succeeds. */
    put_be32(h, be32(hdr) ^ 0x1234);
    memcpy(h + 4, hdr + 4, 4);
    sendhdr(xrep, h, 8, "lost", 0);
    sendhdr(xrep, h, 2, "lost", 0);
    CHECK(nn_send(xrep, "lost", 4, 0) == 4);
    put(req, "ask2");
    CHECK(recvhdr(xrep, hdr, &hlen, buf, sizeof buf) == 4 && hlen == 8);
    rcvtimeo(req, QUIET_MS);
    FAILS(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    rcvtimeo(req, WAIT_MS);
    /* Answers in any order, any number outstanding. */
    sendhdr(xrep, hdr, hlen, "answer2", 0);
    get(req, "answer2");

    int vv[] = { xreq, rep, req, xrep };
    closeall(4, vv);
}

struct dev {
    int s1, s2, rc, err;
    pthread_t t;
};

static void *dev_main(void *arg)
{
    struct dev *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    return NULL;
}

static void dev_start(struct dev *d, int s1, int s2)
{
    d->s1 = s1;
    d->s2 = s2;
    d->rc = 0;
    CHECK(pthread_create(&d->t, NULL, dev_main, d) == 0);
}

static void dev_join(struct dev *d)
{
    pthread_join(d->t, NULL);
    CHECK(d->rc == -1 && d->err == EBADF);
}

/* REQ -> [raw REP | device | raw REQ] -> REP, twice over. */
static void test_reqrep_device(void)
{
    int req = sock(AF_SP, NN_REQ), rep = sock(AF_SP, NN_REP);
    int x1 = sock(AF_SP_RAW, NN_REP), y1 = sock(AF_SP_RAW, NN_REQ);
    int x2 = sock(AF_SP_RAW, NN_REP), y2 = sock(AF_SP_RAW, NN_REQ);
    struct dev d1, d2;

    CHECK(nn_bind(x1, "inproc://t_dev_front") >= 0);
    CHECK(nn_bind(x2, "inproc://t_dev_mid") >= 0);
    CHECK(nn_connect(y1, "inproc://t_dev_mid") >= 0);
    CHECK(nn_bind(rep, "inproc://t_dev_back") >= 0);
    CHECK(nn_connect(y2, "inproc://t_dev_back") >= 0);
    CHECK(nn_connect(req, "inproc://t_dev_front") >= 0);
    dev_start(&d1, x1, y1);
    dev_start(&d2, x2, y2);

    for (int i = 0; i < 3; i++) {
        char q[16], a[16];
        snprintf(q, sizeof q, "q%d", i);
        snprintf(a, sizeof a, "a%d", i);
        put(req, q);
        get(rep, q);
        put(rep, a);
        get(req, a);
    }
    /* Devices cannot be built from mismatched sockets. */
    FAILS(nn_device(req, y1), EINVAL);
    FAILS(nn_device(x1, rep), EINVAL);

    int vv[] = { x1, y1, x2, y2 };
    closeall(4, vv);
    dev_join(&d1);
    dev_join(&d2);
    int ww[] = { req, rep };
    closeall(2, ww);
}

/* --- PUSH / PULL -------------------------------------------------------- */

static void test_pipeline(void)
{
    int push = sock(AF_SP, NN_PUSH), p1 = sock(AF_SP, NN_PULL);
    int p2 = sock(AF_SP, NN_PULL);
    int x2 = sock(AF_SP_RAW, NN_PUSH);
    char buf[16];

    CHECK(!writable(push, 0));
    FAILS(nn_send(push, "x", 1, NN_DONTWAIT), EAGAIN);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 30);
    FAILS(nn_send(push, "x", 1, 0), ETIMEDOUT);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, WAIT_MS);
    /* 0 before any pipe, as libnanomsg 1.1.5 reports. */
    CHECK(nn_get_statistic(push, NN_STAT_CURRENT_SND_PRIORITY) == 0);
    FAILS(nn_recv(push, buf, sizeof buf, 0), ENOTSUP);
    FAILS(nn_send(p1, "x", 1, 0), ENOTSUP);

    CHECK(nn_bind(push, "inproc://t_push") >= 0);
    CHECK(nn_connect(p1, "inproc://t_push") >= 0);
    CHECK(nn_connect(p2, "inproc://t_push") >= 0);
    sleep_ms(20);
    CHECK(writable(push, 0));
    for (int i = 0; i < 4; i++)
        put(push, "job");
    get(p1, "job");
    get(p1, "job");
    get(p2, "job");
    get(p2, "job");
    none(p1);
    none(p2);

    /* PULL fair-queues several PUSHes; the raw flavour is the same. */
    CHECK(nn_bind(p2, "inproc://t_pull") >= 0);
    CHECK(nn_connect(x2, "inproc://t_pull") >= 0);
    sleep_ms(20);
    put(x2, "x1");
    put(x2, "x2");
    get(p2, "x1");
    get(p2, "x2");

    int vv[] = { push, p1, p2, x2 };
    closeall(4, vv);
}

/* PUSH load-balances by NN_SNDPRIO: the better endpoint gets everything
   while it can take it. */
static void test_priorities(void)
{
    int push = sock(AF_SP, NN_PUSH), hi = sock(AF_SP, NN_PULL);
    int lo = sock(AF_SP, NN_PULL);

    CHECK(nn_bind(hi, "inproc://t_prio_hi") >= 0);
    CHECK(nn_bind(lo, "inproc://t_prio_lo") >= 0);
    set_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 9);
    CHECK(nn_connect(push, "inproc://t_prio_lo") >= 0);
    set_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    CHECK(nn_connect(push, "inproc://t_prio_hi") >= 0);
    sleep_ms(20);
    CHECK(nn_get_statistic(push, NN_STAT_CURRENT_SND_PRIORITY) == 2);
    for (int i = 0; i < 3; i++)
        put(push, "p");
    get(hi, "p");
    get(hi, "p");
    get(hi, "p");
    none(lo);
    int vv[] = { push, hi, lo };
    closeall(3, vv);
}

/* --- SURVEYOR / RESPONDENT ---------------------------------------------- */

static void test_survey(void)
{
    int sv = sock(AF_SP, NN_SURVEYOR), r1 = sock(AF_SP, NN_RESPONDENT);
    int r2 = sock(AF_SP, NN_RESPONDENT);
    char buf[32];
    int v;
    size_t len = sizeof v;

    CHECK(nn_getsockopt(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v, &len) ==
          0 && v == 1000);
    v = -1;
    FAILS(nn_setsockopt(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v, sizeof v),
          EINVAL);
    v = 300;
    CHECK(nn_setsockopt(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v,
                        sizeof v) == 0);

    FAILS(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    FAILS(nn_send(r1, "x", 1, 0), EFSM);
    CHECK(ready(sv, 0) == (NN_POLLIN | NN_POLLOUT));   /* idle surveyor */
    CHECK(ready(r1, 0) == 0);

    CHECK(nn_bind(sv, "inproc://t_survey") >= 0);
    CHECK(nn_connect(r1, "inproc://t_survey") >= 0);
    CHECK(nn_connect(r2, "inproc://t_survey") >= 0);
    sleep_ms(20);

    put(sv, "who?");
    CHECK(ready(sv, 0) == NN_POLLOUT);
    get(r1, "who?");
    get(r2, "who?");
    CHECK(ready(r1, 0) == NN_POLLOUT);
    put(r1, "me1");
    put(r2, "me2");
    int n1 = 0, n2 = 0;
    for (int i = 0; i < 2; i++) {
        int rc = take(sv, buf, sizeof buf);
        n1 += rc == 3 && memcmp(buf, "me1", 3) == 0;
        n2 += rc == 3 && memcmp(buf, "me2", 3) == 0;
    }
    CHECK(n1 == 1 && n2 == 1);
    long t0 = now_ms();
    FAILS(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK(now_ms() - t0 < WAIT_MS);
    FAILS(nn_recv(sv, buf, sizeof buf, 0), EFSM);

    /* A late answer after the deadline is never delivered. */
    put(sv, "late?");
    get(r1, "late?");
    sleep_ms(400);
    put(r1, "too-late");
    FAILS(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    FAILS(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    get(r2, "late?");   /* r2 still holds it: a new recv abandons it */

    /* A new survey cancels the old one: stale answers are dropped. */
    put(sv, "s1");
    get(r1, "s1");
    put(sv, "s2");
    put(r1, "old");
    get(r1, "s2");
    put(r1, "new");
    get(sv, "new");
    get(r2, "s1");
    get(r2, "s2");
    put(r2, "r2new");
    get(sv, "r2new");
    /* RCVTIMEO shorter than the deadline leaves the survey running. */
    put(sv, "s3");
    rcvtimeo(sv, 30);
    FAILS(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    rcvtimeo(sv, WAIT_MS);
    get(r1, "s3");
    put(r1, "s3-ok");
    get(sv, "s3-ok");

    sendhdr(sv, "\x80\0\0\1", 4, "h", -EINVAL);
    int vv[] = { sv, r1, r2 };
    closeall(3, vv);
}

static void test_survey_raw(void)
{
    int xsv = sock(AF_SP_RAW, NN_SURVEYOR), r = sock(AF_SP, NN_RESPONDENT);
    int sv = sock(AF_SP, NN_SURVEYOR), xr = sock(AF_SP_RAW, NN_RESPONDENT);
    unsigned char hdr[64], h[8];
    size_t hlen;
    char buf[32];
    int v = 1;

    FAILS(nn_setsockopt(xsv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v,
                        sizeof v), ENOPROTOOPT);
    CHECK(ready(xsv, 0) == NN_POLLOUT);
    CHECK(nn_bind(xsv, "inproc://t_xsv") >= 0);
    CHECK(nn_connect(r, "inproc://t_xsv") >= 0);
    sleep_ms(20);
    put_be32(h, 0x80000010u);
    sendhdr(xsv, h, 4, "raw?", 0);
    get(r, "raw?");
    put(r, "raw!");
    CHECK(recvhdr(xsv, hdr, &hlen, buf, sizeof buf) == 4 && hlen == 4 &&
          be32(hdr) == 0x80000010u);
    /* No deadline on raw surveyors: a late answer still arrives. */
    sleep_ms(50);
    sendhdr(xsv, h, 4, "again?", 0);
    get(r, "again?");
    put(r, "again!");
    CHECK(recvhdr(xsv, hdr, &hlen, buf, sizeof buf) == 6 && hlen == 4);

    CHECK(nn_bind(xr, "inproc://t_xr") >= 0);
    CHECK(nn_connect(sv, "inproc://t_xr") >= 0);
    sleep_ms(20);
    put(sv, "q");
    CHECK(recvhdr(xr, hdr, &hlen, buf, sizeof buf) == 1 && hlen == 8);
    sendhdr(xr, hdr, hlen, "a", 0);
    get(sv, "a");

    int vv[] = { xsv, r, sv, xr };
    closeall(4, vv);
}

/* --- BUS ---------------------------------------------------------------- */

static void test_bus(void)
{
    int a = sock(AF_SP, NN_BUS), b = sock(AF_SP, NN_BUS);
    int c = sock(AF_SP, NN_BUS);

    put(a, "alone");   /* no peers: still fine */
    CHECK(nn_bind(a, "inproc://t_bus_a") >= 0);
    CHECK(nn_bind(b, "inproc://t_bus_b") >= 0);
    CHECK(nn_connect(b, "inproc://t_bus_a") >= 0);
    CHECK(nn_connect(c, "inproc://t_bus_b") >= 0);
    sleep_ms(20);
    CHECK(ready(a, 0) == NN_POLLOUT);

    /* a - b - c: b reaches both, a's message is not relayed to c. */
    put(b, "from-b");
    get(a, "from-b");
    get(c, "from-b");
    put(a, "from-a");
    get(b, "from-a");
    none(c);
    none(a);   /* no echo */
    sendhdr(a, "12345678", 8, "h", -EINVAL);

    int vv[] = { a, b, c };
    closeall(3, vv);
}

/* A raw BUS loopback device is a hub: every message reaches every other
   peer but not its origin. */
static void test_bus_hub(void)
{
    int hub = sock(AF_SP_RAW, NN_BUS);
    int p[3];
    struct dev d;
    unsigned char hdr[64];
    size_t hlen;
    char buf[32];

    CHECK(nn_bind(hub, "inproc://t_hub") >= 0);
    /* Check the token before the device takes over the socket. */
    int probe = sock(AF_SP, NN_BUS);
    CHECK(nn_connect(probe, "inproc://t_hub") >= 0);
    sleep_ms(20);
    put(probe, "tok");
    CHECK(recvhdr(hub, hdr, &hlen, buf, sizeof buf) == 3 && hlen == 8);
    sendhdr(hub, hdr, 8, "not-to-probe", 0);
    none(probe);
    sendhdr(hub, hdr, 3, "bad", -EINVAL);
    CHECK(nn_send(hub, "to-all", 6, 0) == 6);
    get(probe, "to-all");
    CHECK(nn_close(probe) == 0);

    for (int i = 0; i < 3; i++) {
        p[i] = sock(AF_SP, NN_BUS);
        CHECK(nn_connect(p[i], "inproc://t_hub") >= 0);
    }
    sleep_ms(20);
    dev_start(&d, hub, -1);
    put(p[0], "m0");
    get(p[1], "m0");
    get(p[2], "m0");
    none(p[0]);
    put(p[2], "m2");
    get(p[0], "m2");
    get(p[1], "m2");
    none(p[2]);
    CHECK(nn_close(hub) == 0);
    dev_join(&d);
    closeall(3, p);
}

/* Raw PAIR / PUSH / PULL / PUB behave as cooked; a header passes through. */
static void test_raw_passthrough(void)
{
    int xa = sock(AF_SP_RAW, NN_PAIR), xb = sock(AF_SP_RAW, NN_PAIR);
    unsigned char hdr[64];
    size_t hlen;
    char buf[32];

    CHECK(nn_bind(xa, "inproc://t_xpair") >= 0);
    CHECK(nn_connect(xb, "inproc://t_xpair") >= 0);
    sleep_ms(20);
    sendhdr(xa, "HD", 2, "body", 0);
    CHECK(recvhdr(xb, hdr, &hlen, buf, sizeof buf) == 6 && hlen == 0 &&
          memcmp(buf, "HDbody", 6) == 0);
    int vv[] = { xa, xb };
    closeall(2, vv);
}

int main(void)
{
    alarm(120);
    test_pair();
    test_pubsub();
    test_reqrep();
    test_reqrep_raw();
    test_reqrep_device();
    test_pipeline();
    test_priorities();
    test_survey();
    test_survey_raw();
    test_bus();
    test_bus_hub();
    test_raw_passthrough();
    nn_term();
    if (failures) {
        fprintf(stderr, "test_protocols: %d failure(s)\n", failures);
        return 1;
    }
    return 0;
}
