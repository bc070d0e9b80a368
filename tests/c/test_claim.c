/* Receivers that read and watch their stream connections themselves
   (claimed pipes, core/pipe.c): a blocked recv wakes for arrivals, time-outs
   and closes without spinning; readiness descriptors still see every
   arrival; many peers and many receiving threads lose nothing. Over tcp and
   ipc. */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

#include "check.h"
#include "netutil.h"

static long long clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static long long cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static void set_int(int s, int opt, int v)
{
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, opt, &v, sizeof(v)) == 0);
}

static int send_str(int s, const char *str)
{
    return nn_send(s, str, strlen(str), 0);
}

/* 1 when the next message is exactly `want`. */
static int recv_is(int s, const char *want)
{
    char buf[256];
    int n = nn_recv(s, buf, sizeof(buf), 0);
    return n == (int) strlen(want) && memcmp(buf, want, (size_t) n) == 0;
}

static int64_t stat_of(int s, int id)
{
    return (int64_t) nn_get_statistic(s, id);
}

static int wait_stat(int s, int id, int64_t want, int ms)
{
    for (long long end = now_ms() + ms; now_ms() < end; sleep_ms(5))
        if (stat_of(s, id) == want)
            return 1;
    return stat_of(s, id) == want;
}

/* A bound PULL and a PUSH connected to it that has delivered one message:
   the PULL's connection is then among its recently readable pipes. */
static void pull_push(const char *addr, int *pull, int *push)
{
    *pull = timed_socket(NN_PULL);
    *push = timed_socket(NN_PUSH);
    CHECK(nn_bind(*pull, addr) >= 0);
    CHECK(nn_connect(*push, addr) >= 0);
    CHECK(send_str(*push, "warm") == 4);
    CHECK(recv_is(*pull, "warm"));
}

struct rx {
    int s;
    char want[32];
    int ok;
    int err;
    long long took;
};

static void *rx_main(void *arg)
{
    struct rx *r = arg;
    long long t0 = now_ms();
    char buf[64];
    int n = nn_recv(r->s, buf, sizeof(buf), 0);

    r->err = n < 0 ? nn_errno() : 0;
    r->ok = n == (int) strlen(r->want) && memcmp(buf, r->want, (size_t) n) == 0;
    r->took = now_ms() - t0;
    return NULL;
}

/* An idle blocked recv sleeps (no spinning) and times out on time; one
   blocked until a message comes gets it. */
static void blocked_recv(const char *addr)
{
    int pull, push;
    pthread_t t;
    struct rx r = {0};
    long long t0, c0;
    char buf[16];

    pull_push(addr, &pull, &push);
    set_int(pull, NN_RCVTIMEO, 300);
    c0 = cpu_ms();
    t0 = now_ms();
    CHECK(nn_recv(pull, buf, sizeof(buf), 0) < 0 && nn_errno() == ETIMEDOUT);
    CHECK(now_ms() - t0 >= 280 && now_ms() - t0 < 1500);
    CHECK(cpu_ms() - c0 < 100);

    set_int(pull, NN_RCVTIMEO, 3000);
    r.s = pull;
    strcpy(r.want, "late");
    CHECK(pthread_create(&t, NULL, rx_main, &r) == 0);
    sleep_ms(150);
    CHECK(send_str(push, "late") == 4);
    pthread_join(t, NULL);
    CHECK(r.ok && r.took >= 100 && r.took < 2000);
    nn_close(push);
    nn_close(pull);
}

/* The peer goes while a recv is blocked on its connection: the recv does
   not spin on the dead descriptor, and a new peer's message reaches it. */
static void peer_goes_while_blocked(const char *addr)
{
    int pull, push, push2;
    pthread_t t;
    struct rx r = {0};
    long long c0;

    pull_push(addr, &pull, &push);
    r.s = pull;
    strcpy(r.want, "second");
    c0 = cpu_ms();
    CHECK(pthread_create(&t, NULL, rx_main, &r) == 0);
    sleep_ms(100);
    nn_close(push);
    CHECK(wait_stat(pull, NN_STAT_CURRENT_CONNECTIONS, 0, 2000));
    sleep_ms(300);
    CHECK(cpu_ms() - c0 < 150);
    push2 = timed_socket(NN_PUSH);
    CHECK(nn_connect(push2, addr) >= 0);
    CHECK(send_str(push2, "second") == 6);
    pthread_join(t, NULL);
    CHECK(r.ok);
    nn_close(push2);
    nn_close(pull);
}

/* nn_close wakes a recv blocked on claimed connections with EBADF. */
static void close_while_blocked(const char *addr)
{
    int pull, push;
    pthread_t t;
    struct rx r = {0};

    pull_push(addr, &pull, &push);
    r.s = pull;
    strcpy(r.want, "-");
    CHECK(pthread_create(&t, NULL, rx_main, &r) == 0);
    sleep_ms(100);
    CHECK(nn_close(pull) == 0);
    pthread_join(t, NULL);
    CHECK(!r.ok && r.err == EBADF && r.took < 1000);
    nn_close(push);
}

struct later {
    int s;
    const char *str;
};

static void *later_main(void *arg)
{
    struct later *l = arg;
    sleep_ms(100);
    CHECK(send_str(l->s, l->str) == (int) strlen(l->str));
    return NULL;
}

/* Receive `want`, sent by `from` only once this recv has blocked (so it
   claims the connection). */
static int recv_blocked(int s, int from, const char *want)
{
    struct later l = { from, want };
    pthread_t t;
    int ok;

    CHECK(pthread_create(&t, NULL, later_main, &l) == 0);
    ok = recv_is(s, want);
    pthread_join(t, NULL);
    return ok;
}

static int readable(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* NN_RCVFD turns readable for every arrival, including those after a recv
   that left the connection claimed (read ahead) or not. */
static void rcvfd_sees_arrivals(const char *addr)
{
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    int fd;
    size_t sz = sizeof(fd);

    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(recv_blocked(b, a, "one"));
    /* The descriptor asked for only now, after recv claimed the pipe. */
    CHECK(nn_getsockopt(b, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) == 0);
    CHECK(!readable(fd, 50));
    CHECK(send_str(a, "two") == 3);
    CHECK(readable(fd, 2000));
    CHECK(recv_is(b, "two"));
    CHECK(!readable(fd, 50));
    /* Claimed again by a blocking recv, with the descriptor in use. */
    CHECK(recv_blocked(b, a, "two-b"));
    CHECK(!readable(fd, 50));
    CHECK(send_str(a, "two-c") == 5);
    CHECK(readable(fd, 2000));
    CHECK(recv_is(b, "two-c"));

    /* Two at once: the second is read ahead; the fd stays readable. */
    CHECK(recv_blocked(b, a, "two-d"));
    CHECK(send_str(a, "three") == 5);
    CHECK(send_str(a, "four") == 4);
    sleep_ms(50);
    CHECK(readable(fd, 2000));
    CHECK(recv_is(b, "three"));
    CHECK(readable(fd, 2000));
    CHECK(recv_is(b, "four"));
    CHECK(!readable(fd, 50));
    CHECK(send_str(a, "five") == 4);
    CHECK(readable(fd, 2000));
    CHECK(recv_is(b, "five"));
    nn_close(a);
    nn_close(b);
}

#define PEERS 10
#define PER_PEER 50

/* More peers than a socket claims: every message arrives, in order per
   peer. */
static void many_peers(const char *addr)
{
    int pull = timed_socket(NN_PULL);
    int push[PEERS];
    int next[PEERS] = {0};
    char buf[32];
    int ok = 1;

    CHECK(nn_bind(pull, addr) >= 0);
    for (int i = 0; i < PEERS; i++) {
        push[i] = timed_socket(NN_PUSH);
        CHECK(nn_connect(push[i], addr) >= 0);
    }
    CHECK(wait_stat(pull, NN_STAT_CURRENT_CONNECTIONS, PEERS, 3000));
    for (int k = 0; k < PER_PEER; k++)
        for (int i = 0; i < PEERS; i++) {
            snprintf(buf, sizeof(buf), "%d %d", i, k);
            CHECK(send_str(push[i], buf) > 0);
        }
    for (int n = 0; n < PEERS * PER_PEER; n++) {
        int i, k;
        int len = nn_recv(pull, buf, sizeof(buf) - 1, 0);
        if (len < 0) {
            ok = 0;
            break;
        }
        buf[len] = '\0';
        if (sscanf(buf, "%d %d", &i, &k) != 2 || i < 0 || i >= PEERS ||
            k != next[i]) {
            ok = 0;
            break;
        }
        next[i]++;
    }
    CHECK(ok);
    for (int i = 0; i < PEERS; i++)
        nn_close(push[i]);
    nn_close(pull);
}

#define RX_THREADS 3
#define RX_MSGS 300

struct worker {
    int s;
    atomic_int *seen;   /* RX_MSGS counters */
    int got;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char buf[32];
    int n;

    while ((n = nn_recv(w->s, buf, sizeof(buf) - 1, 0)) >= 0) {
        int k;
        buf[n] = '\0';
        if (sscanf(buf, "%d", &k) == 1 && k >= 0 && k < RX_MSGS)
            atomic_fetch_add(&w->seen[k], 1);
        w->got++;
    }
    return NULL;
}

/* Several threads blocked in recv on one socket: each message goes to
   exactly one of them. */
static void many_receivers(const char *addr)
{
    int pull, push;
    pthread_t t[RX_THREADS];
    struct worker w[RX_THREADS];
    atomic_int seen[RX_MSGS];
    char buf[32];
    int total = 0;
    int once = 1;

    pull_push(addr, &pull, &push);
    set_int(pull, NN_RCVTIMEO, 700);
    for (int k = 0; k < RX_MSGS; k++)
        atomic_init(&seen[k], 0);
    for (int i = 0; i < RX_THREADS; i++) {
        w[i].s = pull;
        w[i].seen = seen;
        w[i].got = 0;
        CHECK(pthread_create(&t[i], NULL, worker_main, &w[i]) == 0);
    }
    sleep_ms(50);
    for (int k = 0; k < RX_MSGS; k++) {
        snprintf(buf, sizeof(buf), "%d", k);
        CHECK(send_str(push, buf) > 0);
        if (k % 50 == 0)
            sleep_ms(5);   /* let receivers block again now and then */
    }
    for (int i = 0; i < RX_THREADS; i++) {
        pthread_join(t[i], NULL);
        total += w[i].got;
    }
    for (int k = 0; k < RX_MSGS; k++)
        once &= atomic_load(&seen[k]) == 1;
    CHECK(total == RX_MSGS && once);
    nn_close(push);
    nn_close(pull);
}

static int sub_sock;

static void *sub_main(void *arg)
{
    struct rx *r = arg;
    long long t0 = now_ms();
    char buf[16];
    int n = nn_recv(sub_sock, buf, sizeof(buf), 0);

    r->ok = n == 2 && memcmp(buf, "A1", 2) == 0;
    r->err = n < 0 ? nn_errno() : 0;
    r->took = now_ms() - t0;
    return NULL;
}

/* Receiver A has pulled and dropped so many filtered messages that it
   waits without polling the connection; receiver B then claims it in its
   own short wait and times out. The connection must still be watched for
   A: a matching message reaches A at once (found by review: it used to
   wait for A's own time-out). */
static void sleeper_past_budget(const char *addr)
{
    int pub = timed_socket(NN_PUB);
    pthread_t t;
    struct rx r = {0};
    long long t0;
    char buf[16];

    sub_sock = timed_socket(NN_SUB);
    CHECK(nn_setsockopt(sub_sock, NN_SUB, NN_SUB_SUBSCRIBE, "A", 1) == 0);
    CHECK(nn_bind(sub_sock, addr) >= 0);
    CHECK(nn_connect(pub, addr) >= 0);
    sleep_ms(100);
    CHECK(send_str(pub, "A0") == 2);
    CHECK(nn_recv(sub_sock, buf, sizeof(buf), 0) == 2);
    CHECK(pthread_create(&t, NULL, sub_main, &r) == 0);
    sleep_ms(50);
    for (int i = 0; i < 20; i++) {   /* filtered out, one at a time */
        CHECK(send_str(pub, "B") == 1);
        sleep_ms(3);
    }
    sleep_ms(50);
    set_int(sub_sock, NN_RCVTIMEO, 100);
    CHECK(nn_recv(sub_sock, buf, sizeof(buf), 0) < 0 &&
          nn_errno() == ETIMEDOUT);
    t0 = now_ms();
    CHECK(send_str(pub, "A1") == 2);
    pthread_join(t, NULL);
    CHECK(r.ok && now_ms() - t0 < 1000);
    nn_close(pub);
    nn_close(sub_sock);
}

static void run(const char *addr)
{
    fprintf(stderr, "-- %s\n", addr);
    blocked_recv(addr);
    peer_goes_while_blocked(addr);
    close_while_blocked(addr);
    rcvfd_sees_arrivals(addr);
    many_peers(addr);
    many_receivers(addr);
    sleeper_past_budget(addr);
}

int main(void)
{
    char addr[64];

    snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    run(addr);
    snprintf(addr, sizeof(addr), "ipc:///tmp/nn-test-claim-%d.ipc",
             (int) getpid());
    run(addr);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_claim: ok\n");
    return 0;
}
