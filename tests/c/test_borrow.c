/* nn_send does not copy the caller's buffer when a stream connection takes
   the message at once (core/msg.h: borrowed bodies). Whatever keeps the
   message past the call must have its own copy: after nn_send returns the
   caller may overwrite its buffer, and every receiver still gets what was
   sent. Checked for queued output (large messages, slow receiver), REQ's
   resend, PUB fan-out and inproc, over every transport. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>

#include "check.h"
#include "netutil.h"

#define BIG (512 * 1024)
#define BURST 6

static void fill(unsigned char *buf, size_t len, int seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char) (i * 31 + (size_t) seed * 7 + 1);
}

/* 1 when the next message is `len` bytes of pattern `seed`. */
static int recv_pattern(int s, size_t len, int seed)
{
    unsigned char *want = malloc(len);
    void *m = NULL;
    int n = nn_recv(s, &m, NN_MSG, 0);
    int ok = want != NULL && n == (int) len;

    if (ok) {
        fill(want, len, seed);
        ok = memcmp(m, want, len) == 0;
    }
    if (n >= 0)
        nn_freemsg(m);
    free(want);
    return ok;
}

/* Buffers large enough that nothing is dropped (PUB) or blocks (inproc)
   for lack of room: this test is about the bytes, not backpressure. */
static void roomy(int s)
{
    int v = -1;
    int room = 8 * BIG;
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &v, sizeof(v)) == 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &room, sizeof(room)) ==
          0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVBUF, &room, sizeof(room)) ==
          0);
}

/* A burst of large messages (four times the default NN_SNDBUF) to a
   receiver that is not reading yet: most of each is queued after nn_send
   returns. */
static void burst(const char *addr)
{
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    unsigned char *buf = malloc(BIG);

    CHECK(buf != NULL);
    roomy(b);
    CHECK(nn_bind(b, addr) >= 0);
    CHECK(nn_connect(a, addr) >= 0);
    sleep_ms(100);
    for (int i = 0; i < BURST; i++) {
        fill(buf, BIG, i);
        CHECK(nn_send(a, buf, BIG, 0) == BIG);
        memset(buf, 0xee, BIG);   /* the caller reuses its buffer */
    }
    for (int i = 0; i < BURST; i++)
        CHECK(recv_pattern(b, BIG, i));
    nn_close(a);
    nn_close(b);
    free(buf);
}

/* 1 when the next message of pattern `seed` arrives intact, after any
   number of intact copies of the request before it (`old`): REQ resends
   that one every interval until the new request replaces it, and a slow
   run (sanitizers, a loaded machine) can let one interval pass between the
   test's receive and its next send. */
static int recv_pattern_after(int s, size_t len, int seed, int old)
{
    unsigned char *want = malloc(len), *prev = malloc(len);
    int ok = 0;
    if (want && prev) {
        fill(want, len, seed);
        fill(prev, len, old);
        for (;;) {
            void *m = NULL;
            int n = nn_recv(s, &m, NN_MSG, 0);
            if (n < 0)
                break;
            int is_new = n == (int) len && memcmp(m, want, len) == 0;
            int is_old = n == (int) len && memcmp(m, prev, len) == 0;
            nn_freemsg(m);
            if (is_new || !is_old) {
                ok = is_new;
                break;
            }
        }
    }
    free(want);
    free(prev);
    return ok;
}

/* REQ keeps the request for resending; the resend must carry it intact,
   and so must the first sending of a request made before any peer was
   there. */
static void resend(const char *addr)
{
    int req = timed_socket(NN_REQ);
    int rep = timed_socket(NN_REP);
    int ivl = 100;
    unsigned char *buf = malloc(BIG);

    CHECK(buf != NULL);
    roomy(req);
    roomy(rep);
    CHECK(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &ivl, sizeof(ivl)) ==
          0);
    fill(buf, BIG, 41);
    CHECK(nn_send(req, buf, BIG, 0) == BIG);   /* no peer yet: kept */
    memset(buf, 0xee, BIG);
    CHECK(nn_bind(rep, addr) >= 0);
    CHECK(nn_connect(req, addr) >= 0);
    CHECK(recv_pattern(rep, BIG, 41));
    fill(buf, BIG, 42);
    CHECK(nn_send(req, buf, BIG, 0) == BIG);
    memset(buf, 0xee, BIG);
    /* The first copy (not answered), then the resend. */
    CHECK(recv_pattern_after(rep, BIG, 42, 41));
    CHECK(recv_pattern_after(rep, BIG, 42, 41));
    nn_close(req);
    nn_close(rep);
    free(buf);
}

/* PUB shares one body between its subscribers. */
static void fanout(const char *addr)
{
    int pub = timed_socket(NN_PUB);
    int sub[2];
    unsigned char *buf = malloc(BIG);

    CHECK(buf != NULL);
    roomy(pub);
    CHECK(nn_bind(pub, addr) >= 0);
    for (int i = 0; i < 2; i++) {
        sub[i] = timed_socket(NN_SUB);
        roomy(sub[i]);
        CHECK(nn_setsockopt(sub[i], NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
        CHECK(nn_connect(sub[i], addr) >= 0);
    }
    sleep_ms(200);
    for (int k = 0; k < 3; k++) {
        fill(buf, BIG, 100 + k);
        CHECK(nn_send(pub, buf, BIG, 0) == BIG);
        memset(buf, 0xee, BIG);
    }
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++)
            CHECK(recv_pattern(sub[i], BIG, 100 + k));
    for (int i = 0; i < 2; i++)
        nn_close(sub[i]);
    nn_close(pub);
    free(buf);
}

static void run(const char *addr, int fan)
{
    fprintf(stderr, "-- %s\n", addr);
    burst(addr);
    resend(addr);
    if (fan)
        fanout(addr);
}

int main(void)
{
    char addr[64];

    snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    run(addr, 1);
    snprintf(addr, sizeof(addr), "ipc:///tmp/nn-test-borrow-%d.ipc",
             (int) getpid());
    run(addr, 1);
    snprintf(addr, sizeof(addr), "ws://127.0.0.1:%d", free_port());
    run(addr, 1);
    run("inproc://borrow", 1);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_borrow: ok\n");
    return 0;
}
