/* The "dry socket" policy of non-blocking receives (core/sock.h, `dry`):
   once a NN_DONTWAIT recv found nothing, the following ones skip reading
   the connections themselves. That must change nothing a program can see:
   a message the socket has (NN_RCVFD readable, or an inproc message already
   sent) is returned by the very next NN_DONTWAIT recv, however many vain
   attempts came before; what arrives while nobody is in recv is still read
   and announced; and receiving threads that mix non-blocking and blocking
   calls on one socket lose and duplicate nothing. Over inproc, ipc, tcp. */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

#include "check.h"
#include "netutil.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n non-blocking receives, each of which must find nothing. */
static void dry_attempts(int s, int n)
{
    char buf[64];
    for (int i = 0; i < n; i++) {
        int rc = nn_recv(s, buf, sizeof(buf), NN_DONTWAIT);
        CHECK(rc == -1 && nn_errno() == EAGAIN);
    }
}

/* Wait up to ms for NN_RCVFD to turn readable; 1 when it did. */
static int rcvfd_ready(int s, int ms)
{
    int fd;
    size_t sz = sizeof(fd);
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) == 0);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static int recv_dontwait_is(int s, const char *want)
{
    char buf[64];
    int n = nn_recv(s, buf, sizeof(buf), NN_DONTWAIT);
    return n == (int) strlen(want) && memcmp(buf, want, (size_t) n) == 0;
}

/* After k vain attempts (around the retry period, so that both a skipped
   and a retried pull come right before), a message that arrived is the
   next non-blocking recv's. `inproc`: it is in the peer's queue as soon as
   nn_send returns; otherwise the socket announces it (NN_RCVFD) with no
   receiver in recv, which also shows that nobody left the connection
   unwatched. */
static void next_dontwait_gets_it(int pull, int push, int inproc)
{
    static const int counts[] = { 1, 2, 15, 16, 17, 31, 32, 33, 100 };
    char msg[32];
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        dry_attempts(pull, counts[i]);
        snprintf(msg, sizeof(msg), "after-%d", counts[i]);
        CHECK(nn_send(push, msg, strlen(msg), 0) == (int) strlen(msg));
        if (!inproc)
            CHECK(rcvfd_ready(pull, 3000));
        CHECK(recv_dontwait_is(pull, msg));
        /* And the socket is empty again. */
        dry_attempts(pull, 1);
    }
}

/* The same after a blocking recv that read ahead: with the next message
   already read the connection stays the receiver's; the non-blocking calls
   that follow must still get every message, in order, and the last vain
   one must hand the connection back for the next to be announced. */
static void after_read_ahead(int pull, int push)
{
    char buf[64];
    CHECK(nn_send(push, "one", 3, 0) == 3);
    CHECK(nn_send(push, "two", 3, 0) == 3);
    CHECK(nn_recv(pull, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "one", 3));
    /* "two" is read ahead, or on its way. */
    CHECK(rcvfd_ready(pull, 3000));
    CHECK(recv_dontwait_is(pull, "two"));
    dry_attempts(pull, 20);
    CHECK(nn_send(push, "three", 5, 0) == 5);
    CHECK(rcvfd_ready(pull, 3000));
    CHECK(recv_dontwait_is(pull, "three"));
}

/* A program that only polls with NN_DONTWAIT (never blocks) gets a stream
   of messages whole and in order, in bounded time: a skipped pull leaves
   the reading to the I/O thread, it must not stall it. */
static void polling_only(int pull, int push)
{
    enum { N = 2000 };
    int next = 0;
    long long end = now_ms() + 10000;
    int sent = 0;
    char buf[64], msg[32];
    while (next < N && now_ms() < end) {
        if (sent < N && sent - next < 50) {
            int len = snprintf(msg, sizeof(msg), "p%d", sent);
            CHECK(nn_send(push, msg, (size_t) len, 0) == len);
            sent++;
        }
        int n = nn_recv(pull, buf, sizeof(buf) - 1, NN_DONTWAIT);
        if (n < 0) {
            CHECK(nn_errno() == EAGAIN);
            sched_yield();
            continue;
        }
        buf[n] = 0;
        snprintf(msg, sizeof(msg), "p%d", next);
        if (strcmp(buf, msg) != 0) {
            CHECK(!"polling receiver got a message out of order");
            break;
        }
        next++;
    }
    CHECK(next == N);
}

/* Several threads receive from one socket; half try NN_DONTWAIT first and
   block only on EAGAIN (nnpy's pattern), half only poll. Every message is
   received exactly once. */
enum { MT_THREADS = 4, MT_N = 20000 };

struct mt {
    int pull;
    atomic_int got;
    atomic_uchar seen[MT_N];
    atomic_int dups, bad;
};

struct mt_arg {
    struct mt *mt;
    int polling;
};

static void *mt_receiver(void *p)
{
    struct mt_arg *a = p;
    struct mt *mt = a->mt;
    char buf[32];
    long long end = now_ms() + 30000;
    while (atomic_load(&mt->got) < MT_N && now_ms() < end) {
        int n = nn_recv(mt->pull, buf, sizeof(buf) - 1, NN_DONTWAIT);
        if (n < 0 && nn_errno() == EAGAIN) {
            if (a->polling) {
                sched_yield();
                continue;
            }
            /* Short time-out: the others may take the last messages. */
            n = nn_recv(mt->pull, buf, sizeof(buf) - 1, 0);
            if (n < 0 && nn_errno() == ETIMEDOUT)
                continue;
        }
        if (n < 0) {
            atomic_fetch_add(&mt->bad, 1);
            break;
        }
        buf[n] = 0;
        char *endp;
        long seq = strtol(buf, &endp, 10);
        if (*endp || seq < 0 || seq >= MT_N) {
            atomic_fetch_add(&mt->bad, 1);
            continue;
        }
        if (atomic_exchange(&mt->seen[seq], 1))
            atomic_fetch_add(&mt->dups, 1);
        atomic_fetch_add(&mt->got, 1);
    }
    return NULL;
}

static void many_receivers(int pull, int push)
{
    struct mt *mt = calloc(1, sizeof(*mt));
    CHECK(mt != NULL);
    if (!mt)
        return;
    mt->pull = pull;
    int tmo = 100;
    CHECK(nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo,
                        sizeof(tmo)) == 0);
    pthread_t th[MT_THREADS];
    struct mt_arg args[MT_THREADS];
    for (int i = 0; i < MT_THREADS; i++) {
        args[i] = (struct mt_arg) { .mt = mt, .polling = i % 2 };
        CHECK(pthread_create(&th[i], NULL, mt_receiver, &args[i]) == 0);
    }
    char msg[32];
    for (int i = 0; i < MT_N; i++) {
        int len = snprintf(msg, sizeof(msg), "%d", i);
        if (nn_send(push, msg, (size_t) len, 0) != len) {
            CHECK(!"send failed");
            break;
        }
        /* Now and then let the receivers run dry. */
        if (i % 1000 == 999)
            sleep_ms(2);
    }
    for (int i = 0; i < MT_THREADS; i++)
        pthread_join(th[i], NULL);
    int missing = 0;
    for (int i = 0; i < MT_N; i++)
        missing += !atomic_load(&mt->seen[i]);
    CHECK(atomic_load(&mt->got) == MT_N);
    CHECK(missing == 0);
    CHECK(atomic_load(&mt->dups) == 0);
    CHECK(atomic_load(&mt->bad) == 0);
    if (missing || atomic_load(&mt->dups))
        fprintf(stderr, "many_receivers: %d missing, %d duplicated\n",
                missing, atomic_load(&mt->dups));
    tmo = 3000;
    CHECK(nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo,
                        sizeof(tmo)) == 0);
    free(mt);
}

static void run(const char *addr, int inproc)
{
    int pull = timed_socket(NN_PULL);
    int push = timed_socket(NN_PUSH);
    char buf[16];
    CHECK(nn_bind(pull, addr) >= 0);
    CHECK(nn_connect(push, addr) >= 0);
    /* Connected: the first message gets through. */
    CHECK(nn_send(push, "warm", 4, 0) == 4);
    CHECK(nn_recv(pull, buf, sizeof(buf), 0) == 4);

    next_dontwait_gets_it(pull, push, inproc);
    after_read_ahead(pull, push);
    polling_only(pull, push);
    many_receivers(pull, push);
    /* Still in order afterwards. */
    next_dontwait_gets_it(pull, push, inproc);

    CHECK(nn_close(push) == 0);
    CHECK(nn_close(pull) == 0);
}

int main(void)
{
    char addr[128], dir[] = "/tmp/nn-test-dry-XXXXXX";

    run("inproc://test-dry", 1);
    snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    run(addr, 0);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(addr, sizeof(addr), "ipc://%s/dry.ipc", dir);
    run(addr, 0);
    snprintf(addr, sizeof(addr), "%s/dry.ipc", dir);
    unlink(addr);
    rmdir(dir);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_dry: ok\n");
    return 0;
}
