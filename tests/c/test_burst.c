/* Bursts over tcp and ipc. A send that follows the previous one closely is
   queued for the I/O thread, which writes the whole burst at once, while
   the sending thread may already be writing the next lone message
   directly. Checked here: a burst of messages of every size from 0 up
   to past the direct-read limit arrives whole and in order; lone messages
   between bursts keep their place; a burst sent right before nn_close
   still reaches the peer; and the sender, its burst queued, can be closed
   while the peer never reads (nothing hangs or leaks). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

#include "check.h"
#include "netutil.h"

#define BURST 3000

/* Message i: its size cycles through small and large sizes; its bytes
   encode (i, offset), so a message cut, merged or swapped is seen. */
static size_t msg_size(int i)
{
    static const size_t sizes[] = {0, 1, 7, 64, 200, 4096, 20000, 70000};
    return sizes[(size_t) i % (sizeof(sizes) / sizeof(sizes[0]))];
}

static void fill(unsigned char *buf, int i, size_t len)
{
    for (size_t k = 0; k < len; k++)
        buf[k] = (unsigned char) (i * 31 + (int) k * 7);
}

static int recv_expect(int s, int i)
{
    unsigned char *want = malloc(msg_size(i) + 1);
    void *m = NULL;
    int n = nn_recv(s, &m, NN_MSG, 0);
    int ok = want != NULL && n >= 0 && (size_t) n == msg_size(i);

    if (ok) {
        fill(want, i, msg_size(i));
        ok = memcmp(m, want, msg_size(i)) == 0;
    }
    if (!ok)
        fprintf(stderr, "   message %d: got %d bytes, want %zu\n", i, n,
                msg_size(i));
    if (n >= 0)
        nn_freemsg(m);
    free(want);
    return ok;
}

static void send_msg(int s, int i, unsigned char *buf)
{
    fill(buf, i, msg_size(i));
    CHECK(nn_send(s, buf, msg_size(i), 0) == (int) msg_size(i));
}

/* The receiving side of `order`, on a thread of its own. */
struct reader {
    int s;
    int count;
    int good;                   /* messages that matched, in order */
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    while (r->good < r->count && recv_expect(r->s, r->good))
        r->good++;
    return NULL;
}

/* Bursts, with lone messages (after a pause) between them, while a
   thread reads. */
static void order(const char *addr)
{
    int tx = timed_socket(NN_PUSH);
    unsigned char *buf = malloc(70000);
    struct reader r = {timed_socket(NN_PULL), BURST + 5, 0};
    pthread_t t;
    int i = 0;

    CHECK(buf != NULL);
    CHECK(nn_bind(r.s, addr) >= 0);
    CHECK(nn_connect(tx, addr) >= 0);
    CHECK(pthread_create(&t, NULL, read_all, &r) == 0);
    for (int round = 0; round < 5; round++) {
        for (int k = 0; k < BURST / 5; k++)
            send_msg(tx, i++, buf);
        sleep_ms(2);
        send_msg(tx, i++, buf);
    }
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(r.good == r.count);
    if (r.good != r.count)
        fprintf(stderr, "   %d of %d messages in order\n", r.good, r.count);
    nn_close(tx);
    nn_close(r.s);
    free(buf);
}

/* A burst of small messages, then nn_close at once: the I/O thread hands
   what is queued to the kernel before the connection goes. */
static void close_after(const char *addr)
{
    int rx = timed_socket(NN_PAIR);
    int tx = timed_socket(NN_PAIR);
    unsigned char buf[64];
    int bad = 0;

    CHECK(nn_bind(rx, addr) >= 0);
    CHECK(nn_connect(tx, addr) >= 0);
    /* Connected both ways before the burst, so nothing waits for that. */
    CHECK(nn_send(tx, "x", 1, 0) == 1);
    CHECK(nn_recv(rx, buf, sizeof(buf), 0) == 1);
    for (int i = 0; i < 500; i++) {
        memset(buf, i & 0xff, sizeof(buf));
        CHECK(nn_send(tx, buf, sizeof(buf), 0) == (int) sizeof(buf));
    }
    nn_close(tx);
    for (int i = 0; i < 500 && !bad; i++) {
        unsigned char got[64];
        int n = nn_recv(rx, got, sizeof(got), 0);
        memset(buf, i & 0xff, sizeof(buf));
        bad = n != (int) sizeof(buf) || memcmp(got, buf, sizeof(buf)) != 0;
        if (bad)
            fprintf(stderr, "   message %d of 500 after close: rc %d\n", i, n);
    }
    CHECK(!bad);
    nn_close(rx);
}

/* The peer never reads: the sender fills what the kernel and its queue
   hold, its sends then time out, and closing it ends everything. */
static void close_stuck(const char *addr)
{
    int rx = timed_socket(NN_PULL);
    int tx = timed_socket(NN_PUSH);
    int tmo = 200;
    unsigned char buf[4096];
    int sent = 0, rc;

    memset(buf, 0x5a, sizeof(buf));
    CHECK(nn_setsockopt(tx, NN_SOL_SOCKET, NN_SNDTIMEO, &tmo, sizeof(tmo)) == 0);
    CHECK(nn_bind(rx, addr) >= 0);
    CHECK(nn_connect(tx, addr) >= 0);
    while ((rc = nn_send(tx, buf, sizeof(buf), 0)) == (int) sizeof(buf))
        sent++;
    CHECK(rc < 0 && nn_errno() == ETIMEDOUT);
    CHECK(sent > 0);
    nn_close(tx);
    nn_close(rx);
}

int main(void)
{
    char addr[64];
    int port;

    for (int t = 0; t < 2; t++) {
        for (int c = 0; c < 3; c++) {
            if (t == 0) {
                port = free_port();
                snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", port);
            } else {
                snprintf(addr, sizeof(addr), "ipc:///tmp/nn-test-burst-%d-%d.ipc",
                         (int) getpid(), c);
            }
            fprintf(stderr, "-- %s\n", addr);
            if (c == 0)
                order(addr);
            else if (c == 1)
                close_after(addr);
            else
                close_stuck(addr);
        }
    }
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_burst: ok\n");
    return 0;
}
