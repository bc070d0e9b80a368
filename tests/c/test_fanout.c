/* PUB and BUS fan-out to several stream connections: the messages are
   queued for the I/O thread, which writes each connection's queue in
   batches. Every subscriber must get every message of a burst that fits its
   buffers, in order and byte for byte; what is dropped under overload is
   dropped whole (a gap, never a corrupt or reordered message); and
   connections that close while queued for writing must not be touched
   again (ASan watches). */
#include <pthread.h>

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <nanomsg/pubsub.h>

#include "netutil.h"

enum { TCP, IPC };
#define NSUBS 5
#define BURST 200
static int seq;

static void mkaddr(char *buf, size_t len, int tr)
{
    if (tr == IPC) {
        snprintf(buf, len, "ipc:///tmp/nnfan-%d-%d.ipc", (int) getpid(), ++seq);
        unlink(buf + 6);
    } else {
        snprintf(buf, len, "tcp://127.0.0.1:%d", free_port());
    }
}

/* Message i: a 4-byte index, then a pattern of i's own; sizes vary so that
   some messages are split across writes. */
static size_t msg_make(char *buf, uint32_t i)
{
    size_t len = 4 + (i * 37) % 3000;
    if (i % 50 == 7)
        len = 70000;
    memcpy(buf, &i, 4);
    for (size_t k = 4; k < len; k++)
        buf[k] = (char) (k * 31 + i);
    return len;
}

/* Receive one message and check it is some message j > *last, intact. */
static int msg_check(int s, uint32_t *last, int ms)
{
    static char want[70000];
    void *m = NULL;
    int tmo = ms;
    nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
    int n = nn_recv(s, &m, NN_MSG, 0);
    if (n < 4)
        return 0;
    uint32_t j;
    memcpy(&j, m, 4);
    size_t len = msg_make(want, j);
    int ok = (size_t) n == len && memcmp(m, want, len) == 0 &&
             (*last == UINT32_MAX || j > *last);
    CHECK(ok);
    *last = j;
    nn_freemsg(m);
    return ok;
}

static int sub_socket(const char *addr)
{
    int s = timed_socket(NN_SUB);
    int big = 8 << 20;
    CHECK(nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVBUF, &big, sizeof big) == 0);
    CHECK(nn_connect(s, addr) >= 0);
    return s;
}

static void wait_subscribers(int pub, int n)
{
    for (int ms = 0; ms < 5000; ms += 10) {
        if (nn_get_statistic(pub, NN_STAT_CURRENT_CONNECTIONS) >= (uint64_t) n)
            break;
        sleep_ms(10);
    }
    CHECK(nn_get_statistic(pub, NN_STAT_CURRENT_CONNECTIONS) == (uint64_t) n);
    sleep_ms(50);   /* the subscribers' side of the handshake */
}

/* A bound PUB (SNDBUF `sndbuf`, or the default for 0) with NSUBS
   connected subscribers; `addr` receives its address. */
static int pub_with_subs(int tr, int sndbuf, char *addr, size_t len,
                         int subs[NSUBS])
{
    int pub = timed_socket(NN_PUB);
    if (sndbuf)
        CHECK(nn_setsockopt(pub, NN_SOL_SOCKET, NN_SNDBUF, &sndbuf,
                            sizeof sndbuf) == 0);
    mkaddr(addr, len, tr);
    CHECK(nn_bind(pub, addr) >= 0);
    for (int k = 0; k < NSUBS; k++)
        subs[k] = sub_socket(addr);
    wait_subscribers(pub, NSUBS);
    return pub;
}

static void close_all(int pub, int subs[NSUBS])
{
    for (int k = 0; k < NSUBS; k++)
        nn_close(subs[k]);
    nn_close(pub);
}

/* Bursts that fit the buffers arrive whole at every subscriber. */
static void pub_bursts(int tr)
{
    static char buf[70000];
    char addr[128];
    int subs[NSUBS];
    int pub = pub_with_subs(tr, 8 << 20, addr, sizeof addr, subs);

    uint32_t next = 0;
    for (int round = 0; round < 5; round++) {
        uint32_t first = next;
        for (int i = 0; i < BURST; i++, next++)
            CHECK(nn_send(pub, buf, msg_make(buf, next), 0) >= 0);
        for (int k = 0; k < NSUBS; k++) {
            uint32_t last = first - 1;
            if (first == 0)
                last = UINT32_MAX;
            for (int i = 0; i < BURST; i++) {
                if (!msg_check(subs[k], &last, 3000))
                    break;
                CHECK(last == first + (uint32_t) i);
            }
        }
    }
    close_all(pub, subs);
}

/* Overload: the publisher never waits; subscribers see gaps only. */
static void pub_overload(int tr)
{
    static char buf[70000];
    char addr[128];
    int subs[NSUBS];
    int pub = pub_with_subs(tr, 0, addr, sizeof addr, subs);
    for (uint32_t i = 0; i < 20000; i++)
        CHECK(nn_send(pub, buf, msg_make(buf, i), 0) >= 0);
    for (int k = 0; k < NSUBS; k++) {
        uint32_t last = UINT32_MAX;
        int got = 0;
        while (msg_check(subs[k], &last, 300))
            got++;
        CHECK(got > 0);
    }
    close_all(pub, subs);
}

/* Subscribers come and go while the publisher keeps their queues busy. */
static void churn(int tr)
{
    static char buf[70000];
    char addr[128];
    int subs[NSUBS];
    int pub = pub_with_subs(tr, 0, addr, sizeof addr, subs);
    for (uint32_t i = 0; i < 3000; i++) {
        CHECK(nn_send(pub, buf, msg_make(buf, i), 0) >= 0);
        if (i % 300 == 299) {
            int k = (int) (i / 300) % NSUBS;
            nn_close(subs[k]);
            subs[k] = sub_socket(addr);
        }
    }
    close_all(pub, subs);
}

/* Messages queued for the I/O thread when the publisher closes go to the
   kernel as the connections close, as they would have had the sender
   written them itself: a burst that fits the buffers arrives whole. */
static void close_right_after(int tr)
{
    static char buf[70000];
    char addr[128];
    int subs[NSUBS];
    int pub = pub_with_subs(tr, 0, addr, sizeof addr, subs);
    /* Indices that are multiples of 3000 make 4-byte messages. */
    for (uint32_t i = 1; i <= 100; i++)
        CHECK(nn_send(pub, buf, msg_make(buf, 3000 * i), 0) >= 0);
    nn_close(pub);
    for (int k = 0; k < NSUBS; k++) {
        uint32_t last = UINT32_MAX;
        int got = 0;
        while (got < 100 && msg_check(subs[k], &last, 3000))
            got++;
        CHECK(got == 100);
        nn_close(subs[k]);
    }
}

/* BUS shares the fan-out path: every other member gets each message once,
   the sender none. */
static void bus_mesh(int tr)
{
    char addr[128];
    int hub = timed_socket(NN_BUS), leaf[3];
    mkaddr(addr, sizeof addr, tr);
    CHECK(nn_bind(hub, addr) >= 0);
    for (int k = 0; k < 3; k++) {
        leaf[k] = timed_socket(NN_BUS);
        CHECK(nn_connect(leaf[k], addr) >= 0);
    }
    wait_subscribers(hub, 3);
    for (int i = 0; i < 100; i++) {
        char m[16], r[16];
        snprintf(m, sizeof m, "m%03d", i);
        CHECK(nn_send(hub, m, 4, 0) == 4);
        for (int k = 0; k < 3; k++) {
            CHECK(nn_recv(leaf[k], r, sizeof r, 0) == 4);
            CHECK(memcmp(r, m, 4) == 0);
        }
    }
    int tmo = 100;
    char r[8];
    nn_setsockopt(hub, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
    CHECK(nn_recv(hub, r, sizeof r, 0) < 0 && nn_errno() == ETIMEDOUT);
    for (int k = 0; k < 3; k++)
        nn_close(leaf[k]);
    nn_close(hub);
}

int main(void)
{
    for (int tr = TCP; tr <= IPC; tr++) {
        pub_bursts(tr);
        pub_overload(tr);
        churn(tr);
        close_right_after(tr);
        bus_mesh(tr);
    }
    return failures ? 1 : 0;
}
