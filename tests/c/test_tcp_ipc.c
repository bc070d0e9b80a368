/* test_tcp_ipc.c - the tcp:// and ipc:// transports end to end: every
   common socket pair over both, large and many messages, reconnects,
   address errors, ipc socket files, statistics, and hostile raw peers
   (garbage, wrong protocol id, oversized and truncated messages, silence,
   half-close). Exit status 0 means every check passed. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/bus.h>
#include <nanomsg/survey.h>
#include <nanomsg/tcp.h>

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netutil.h"

enum { TCP, IPC };
static const char *trname[] = {"tcp", "ipc"};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}



static int seq;

/* A fresh address on transport tr; *port gets the tcp port. */
static void mkaddr(char *buf, size_t len, int tr, int *port)
{
    if (tr == TCP) {
        int p = free_port();
        if (port)
            *port = p;
        snprintf(buf, len, "tcp://127.0.0.1:%d", p);
    } else {
        snprintf(buf, len, "ipc:///tmp/nnt-%d-%d.ipc", (int) getpid(), ++seq);
        unlink(buf + 6);
    }
}


static void setint(int s, int level, int opt, int v)
{
    CHECK(nn_setsockopt(s, level, opt, &v, sizeof(v)) == 0);
}

static uint64_t stat_of(int s, int st)
{
    return nn_get_statistic(s, st);
}

/* Wait until statistic st of s reaches at least v. */
static int wait_stat(int s, int st, uint64_t v, int ms)
{
    uint64_t end = now_ms() + (uint64_t) ms;

    while (stat_of(s, st) < v) {
        if (now_ms() > end)
            return 0;
        sleep_ms(5);
    }
    return 1;
}

static int wait_no_conn(int s, int ms)
{
    uint64_t end = now_ms() + (uint64_t) ms;

    while (stat_of(s, NN_STAT_CURRENT_CONNECTIONS) != 0) {
        if (now_ms() > end)
            return 0;
        sleep_ms(5);
    }
    return 1;
}

static int wait_conn(int s, int ms)
{
    return wait_stat(s, NN_STAT_CURRENT_CONNECTIONS, 1, ms);
}

static int send_str(int s, const char *str)
{
    return nn_send(s, str, strlen(str), 0);
}

static int recv_is(int s, const char *str)
{
    char buf[256];
    int n = nn_recv(s, buf, sizeof(buf), 0);

    if (n < 0 || (size_t) n != strlen(str) || memcmp(buf, str, (size_t) n)) {
        fprintf(stderr, "  expected \"%s\", got rc %d (%s)\n", str, n,
                n < 0 ? nn_strerror(nn_errno()) : "");
        return 0;
    }
    return 1;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* --- protocol pairs over both transports ------------------------------ */

static void test_pair(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    int eid;

    mkaddr(addr, sizeof(addr), tr, NULL);
    eid = nn_bind(a, addr);
    CHECK(eid >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_conn(a, 3000) && wait_conn(b, 3000));
    CHECK(send_str(b, "ping") == 4);
    CHECK(recv_is(a, "ping"));
    CHECK(send_str(a, "pong") == 4);
    CHECK(recv_is(b, "pong"));
    /* Empty and binary messages. */
    CHECK(nn_send(a, "", 0, 0) == 0);
    {
        char buf[16];
        CHECK(nn_recv(b, buf, sizeof(buf), 0) == 0);
        CHECK(nn_send(b, "a\0b\0", 4, 0) == 4);
        CHECK(nn_recv(a, buf, sizeof(buf), 0) == 4 &&
              memcmp(buf, "a\0b\0", 4) == 0);
    }
    CHECK(stat_of(b, NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    CHECK(stat_of(a, NN_STAT_ACCEPTED_CONNECTIONS) == 1);
    CHECK(stat_of(b, NN_STAT_INPROGRESS_CONNECTIONS) == 0);
    /* Shutting the endpoint down drops its connection; the peer sees it
       broken. */
    CHECK(nn_shutdown(a, eid) == 0);
    CHECK(stat_of(a, NN_STAT_DROPPED_CONNECTIONS) == 1);
    CHECK(stat_of(a, NN_STAT_CURRENT_CONNECTIONS) == 0);
    CHECK(wait_stat(b, NN_STAT_BROKEN_CONNECTIONS, 1, 3000));
    CHECK(nn_close(b) == 0);
    CHECK(nn_close(a) == 0);
}

static void test_reqrep(int tr)
{
    char addr[128];
    int rep = timed_socket(NN_REP);
    int req = timed_socket(NN_REQ);
    int i;

    mkaddr(addr, sizeof(addr), tr, NULL);
    /* Connect first: the connector retries until the bind appears. */
    CHECK(nn_connect(req, addr) >= 0);
    sleep_ms(50);
    CHECK(nn_bind(rep, addr) >= 0);
    for (i = 0; i < 20; i++) {
        char q[32], r[32];
        snprintf(q, sizeof(q), "q%d", i);
        snprintf(r, sizeof(r), "r%d", i);
        CHECK(send_str(req, q) > 0);
        CHECK(recv_is(rep, q));
        CHECK(send_str(rep, r) > 0);
        CHECK(recv_is(req, r));
    }
    nn_close(req);
    nn_close(rep);
}

static void test_pushpull(int tr)
{
    char addr[128];
    int pull = timed_socket(NN_PULL);
    int push = timed_socket(NN_PUSH);
    const int count = 20000;
    int i;
    int ok = 1;

    mkaddr(addr, sizeof(addr), tr, NULL);
    CHECK(nn_bind(push, addr) >= 0);
    CHECK(nn_connect(pull, addr) >= 0);
    CHECK(wait_conn(push, 3000));
    /* Many small messages: exercises coalesced reads, the send queue and
       the receive pause/resume. */
    for (i = 0; i < count; i++) {
        uint32_t v = (uint32_t) i;
        if (nn_send(push, &v, sizeof(v), 0) != sizeof(v)) {
            ok = 0;
            break;
        }
    }
    CHECK(ok);
    for (i = 0; ok && i < count; i++) {
        uint32_t v;
        if (nn_recv(pull, &v, sizeof(v), 0) != sizeof(v) || v != (uint32_t) i) {
            fprintf(stderr, "  pushpull: message %d wrong\n", i);
            ok = 0;
        }
    }
    CHECK(ok);
    nn_close(push);
    nn_close(pull);
}

static void test_pubsub(int tr)
{
    char addr[128];
    int pub = timed_socket(NN_PUB);
    int sub1 = timed_socket(NN_SUB);
    int sub2 = timed_socket(NN_SUB);

    mkaddr(addr, sizeof(addr), tr, NULL);
    CHECK(nn_bind(pub, addr) >= 0);
    CHECK(nn_setsockopt(sub1, NN_SUB, NN_SUB_SUBSCRIBE, "a", 1) == 0);
    CHECK(nn_setsockopt(sub2, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    CHECK(nn_connect(sub1, addr) >= 0);
    CHECK(nn_connect(sub2, addr) >= 0);
    CHECK(wait_stat(pub, NN_STAT_CURRENT_CONNECTIONS, 2, 3000));
    CHECK(send_str(pub, "bx") == 2);
    CHECK(send_str(pub, "ax") == 2);
    CHECK(recv_is(sub1, "ax"));
    CHECK(recv_is(sub2, "bx"));
    CHECK(recv_is(sub2, "ax"));
    nn_close(sub1);
    nn_close(sub2);
    nn_close(pub);
}

static void test_survey_bus(int tr)
{
    char addr[128];
    int sv = timed_socket(NN_SURVEYOR);
    int rs = timed_socket(NN_RESPONDENT);
    int b1 = timed_socket(NN_BUS);
    int b2 = timed_socket(NN_BUS);

    mkaddr(addr, sizeof(addr), tr, NULL);
    CHECK(nn_bind(rs, addr) >= 0);
    CHECK(nn_connect(sv, addr) >= 0);
    CHECK(wait_conn(sv, 3000));
    CHECK(send_str(sv, "survey") == 6);
    CHECK(recv_is(rs, "survey"));
    CHECK(send_str(rs, "answer") == 6);
    CHECK(recv_is(sv, "answer"));

    mkaddr(addr, sizeof(addr), tr, NULL);
    CHECK(nn_bind(b1, addr) >= 0);
    CHECK(nn_connect(b2, addr) >= 0);
    CHECK(wait_conn(b1, 3000));
    CHECK(send_str(b2, "bus") == 3);
    CHECK(recv_is(b1, "bus"));
    nn_close(sv);
    nn_close(rs);
    nn_close(b1);
    nn_close(b2);
}

struct sender {
    int s;
    const char *buf;
    size_t len;
    int count;
    int sent;
};

/* Sends message i as buf + i. */
static void *sender_main(void *arg)
{
    struct sender *sd = arg;

    for (sd->sent = 0; sd->sent < sd->count; sd->sent++)
        if (nn_send(sd->s, sd->buf + sd->sent, sd->len, 0) != (int) sd->len)
            break;
    return NULL;
}

/* Large messages both ways: 1 MiB (the default limit), and 5 MiB with the
   limit lifted (payload grows in steps), and with RCVMAXSIZE -1. */
static void test_large(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    size_t sizes[] = {1 << 20, 5 * (1 << 20) + 3, 100000};
    size_t i;
    size_t k;
    char *big = malloc(6 << 20);

    if (big == NULL)
        return;
    for (k = 0; k < (6u << 20); k++)
        big[k] = (char) (k * 13 + 1);
    mkaddr(addr, sizeof(addr), tr, NULL);
    setint(a, NN_SOL_SOCKET, NN_RCVMAXSIZE, 6 << 20);
    setint(b, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_conn(a, 3000));
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        void *m = NULL;
        int n;
        CHECK(nn_send(b, big, sizes[i], 0) == (int) sizes[i]);
        n = nn_recv(a, &m, NN_MSG, 0);
        CHECK(n == (int) sizes[i] && m && memcmp(m, big, sizes[i]) == 0);
        if (m)
            nn_freemsg(m);
        m = NULL;
        CHECK(nn_send(a, big, sizes[i], 0) == (int) sizes[i]);
        n = nn_recv(b, &m, NN_MSG, 0);
        CHECK(n == (int) sizes[i] && m && memcmp(m, big, sizes[i]) == 0);
        if (m)
            nn_freemsg(m);
    }
    /* Many mid-sized messages back to back (queueing, direct reads, the
       sender blocking on a full pipe and the reader pausing). */
    {
        struct sender sd = {b, big, 70000, 50, 0};
        pthread_t th;
        CHECK(pthread_create(&th, NULL, sender_main, &sd) == 0);
        sleep_ms(100);
        for (i = 0; i < 50; i++) {
            void *m = NULL;
            int n = nn_recv(a, &m, NN_MSG, 0);
            CHECK(n == 70000 && m && memcmp(m, big + i, 70000) == 0);
            if (m)
                nn_freemsg(m);
        }
        pthread_join(th, NULL);
        CHECK(sd.sent == 50);
    }
    nn_close(a);
    nn_close(b);
    free(big);
}

struct receiver {
    int s;
    size_t len;
    int count;
    int got;
};

static void *receiver_main(void *arg)
{
    struct receiver *rd = arg;

    for (rd->got = 0; rd->got < rd->count; rd->got++) {
        void *m = NULL;
        int n = nn_recv(rd->s, &m, NN_MSG, 0);
        if (m != NULL)
            nn_freemsg(m);
        if (n != (int) rd->len)
            break;
    }
    return NULL;
}

/* Both directions at full speed at once, a sending and a receiving thread
   per socket: direct writes, queued writes, pauses and resumes interleave
   (meant to be run under ThreadSanitizer too). */
static void test_duplex(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    const int count = 3000;
    const size_t len = 10000;
    char *buf = calloc(1, len + (size_t) count);
    struct sender sa = {a, buf, len, count, 0};
    struct sender sb = {b, buf, len, count, 0};
    struct receiver ra = {a, len, count, 0};
    struct receiver rb = {b, len, count, 0};
    pthread_t th[4];

    if (buf == NULL)
        return;
    mkaddr(addr, sizeof(addr), tr, NULL);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_conn(a, 3000) && wait_conn(b, 3000));
    pthread_create(&th[0], NULL, sender_main, &sa);
    pthread_create(&th[1], NULL, sender_main, &sb);
    pthread_create(&th[2], NULL, receiver_main, &ra);
    pthread_create(&th[3], NULL, receiver_main, &rb);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK(sa.sent == count && sb.sent == count);
    CHECK(ra.got == count && rb.got == count);
    nn_close(a);
    nn_close(b);
    free(buf);
}

/* The binder goes away and comes back: the connector reconnects. */
static void test_reconnect(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);

    mkaddr(addr, sizeof(addr), tr, NULL);
    setint(b, NN_SOL_SOCKET, NN_RECONNECT_IVL, 20);
    setint(b, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 50);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_conn(b, 3000));
    CHECK(send_str(b, "one") == 3);
    CHECK(recv_is(a, "one"));
    CHECK(nn_close(a) == 0);
    /* The connector sees the break. */
    CHECK(wait_stat(b, NN_STAT_BROKEN_CONNECTIONS, 1, 3000));
    sleep_ms(100);
    a = timed_socket(NN_PAIR);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(wait_conn(a, 3000));
    CHECK(send_str(b, "two") == 3);
    CHECK(recv_is(a, "two"));
    CHECK(stat_of(b, NN_STAT_ESTABLISHED_CONNECTIONS) >= 2);
    CHECK(stat_of(b, NN_STAT_CONNECT_ERRORS) >= 1);
    nn_close(a);
    nn_close(b);
}

/* Incompatible protocols: never linked, the connector keeps trying. */
static void test_incompatible(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PULL);
    int b = timed_socket(NN_PAIR);
    int tmo = 100;

    mkaddr(addr, sizeof(addr), tr, NULL);
    setint(b, NN_SOL_SOCKET, NN_RECONNECT_IVL, 10);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_stat(b, NN_STAT_BROKEN_CONNECTIONS, 3, 3000));
    CHECK(wait_stat(a, NN_STAT_BROKEN_CONNECTIONS, 3, 3000));
    CHECK(stat_of(a, NN_STAT_CURRENT_CONNECTIONS) == 0);
    CHECK(stat_of(b, NN_STAT_CURRENT_CONNECTIONS) == 0);
    CHECK(nn_setsockopt(b, NN_SOL_SOCKET, NN_SNDTIMEO, &tmo, sizeof(tmo)) == 0);
    CHECK(send_str(b, "x") < 0 && nn_errno() == ETIMEDOUT);
    nn_close(a);
    nn_close(b);
}

/* PAIR takes one peer; a second one is closed after the header exchange. */
static void test_pair_second_peer(int tr)
{
    char addr[128];
    int a = timed_socket(NN_PAIR);
    int b = timed_socket(NN_PAIR);
    int c = timed_socket(NN_PAIR);

    mkaddr(addr, sizeof(addr), tr, NULL);
    setint(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 10);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(wait_conn(a, 3000));
    CHECK(nn_connect(c, addr) >= 0);
    CHECK(wait_stat(c, NN_STAT_BROKEN_CONNECTIONS, 2, 3000));
    CHECK(stat_of(a, NN_STAT_CURRENT_CONNECTIONS) == 1);
    CHECK(send_str(b, "only") == 4);
    CHECK(recv_is(a, "only"));
    nn_close(c);
    nn_close(b);
    nn_close(a);
}

/* Sending and receiving sockets closed while busy: nothing leaks, no
   descriptor stays open. */
static void test_close_busy(int tr)
{
    char addr[128];
    int fds = count_fds();
    int round;

    for (round = 0; round < 5; round++) {
        int a = timed_socket(NN_PUSH);
        int b = timed_socket(NN_PULL);
        char buf[5000];
        int i;
        memset(buf, 'z', sizeof(buf));
        mkaddr(addr, sizeof(addr), tr, NULL);
        CHECK(nn_bind(b, addr) >= 0);
        CHECK(nn_connect(a, addr) >= 0);
        CHECK(wait_conn(a, 3000));
        /* Fill the pipe until sending would block. */
        for (i = 0; i < 2000; i++)
            if (nn_send(a, buf, sizeof(buf), NN_DONTWAIT) < 0)
                break;
        CHECK(i > 10);
        if (round % 2)
            nn_close(b), nn_close(a);
        else
            nn_close(a), nn_close(b);
    }
    CHECK(count_fds() == fds);
}

/* --- addresses -------------------------------------------------------- */

static int have_ipv6(void)
{
    struct sockaddr_in6 sa;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int ok;

    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    ok = fd >= 0 && bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void test_tcp_addresses(void)
{
    int s = timed_socket(NN_PAIR);
    int c = timed_socket(NN_PAIR);
    char addr[128];
    int port = free_port();
    int eid;

    CHECK(nn_bind(s, "tcp://127.0.0.1") < 0 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "tcp://127.0.0.1:0") < 0 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "tcp://127.0.0.1:65536") < 0 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "tcp://no_such_if0:5555") < 0 && nn_errno() == ENODEV);
    CHECK(nn_bind(s, "tcp://[::1]:5555") < 0 && nn_errno() == ENODEV);
    CHECK(nn_bind(s, "tcp://[*]:5555") < 0 && nn_errno() == ENODEV);
    CHECK(nn_bind(s, "tcp://192.0.2.1:5555") < 0 &&
          nn_errno() == EADDRNOTAVAIL);
    CHECK(nn_connect(s, "tcp://bad_host:5555") < 0 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "tcp://127.0.0.1") < 0 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "tcp://[::1]:5555") < 0 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "tcp://no_such_if0;127.0.0.1:5555") < 0 &&
          nn_errno() == ENODEV);
    /* A name that does not resolve fails in the background only. */
    eid = nn_connect(s, "tcp://no-such-host.invalid:5555");
    CHECK(eid >= 0);
    CHECK(nn_shutdown(s, eid) == 0);

    /* Our extension: bind on a host name; connect with local interface. */
    snprintf(addr, sizeof(addr), "tcp://localhost:%d", port);
    CHECK(nn_bind(s, addr) >= 0);
    CHECK(nn_bind(c, addr) < 0 && nn_errno() == EADDRINUSE);
    snprintf(addr, sizeof(addr), "tcp://127.0.0.1;localhost:%d", port);
    CHECK(nn_connect(c, addr) >= 0);
    CHECK(wait_conn(s, 3000));
    CHECK(send_str(c, "hi") == 2);
    CHECK(recv_is(s, "hi"));
    nn_close(s);
    nn_close(c);

    /* Our extension: bind on an interface name (the loopback's address),
       and connect through a named local interface. */
    s = timed_socket(NN_PAIR);
    c = timed_socket(NN_PAIR);
    port = free_port();
    snprintf(addr, sizeof(addr), "tcp://lo:%d", port);
    CHECK(nn_bind(s, addr) >= 0);
    snprintf(addr, sizeof(addr), "tcp://lo;127.0.0.1:%d", port);
    CHECK(nn_connect(c, addr) >= 0);
    CHECK(wait_conn(s, 3000));
    CHECK(send_str(c, "if") == 2);
    CHECK(recv_is(s, "if"));
    nn_close(s);
    nn_close(c);

    /* IPv6 when IPV4ONLY is 0 (skipped when the host has no ::1). */
    s = timed_socket(NN_PAIR);
    c = timed_socket(NN_PAIR);
    setint(s, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    setint(c, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    port = free_port();
    snprintf(addr, sizeof(addr), "tcp://*:%d", port);
    if (nn_bind(s, addr) >= 0) {
        snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", port);
        CHECK(nn_connect(c, addr) >= 0);
        CHECK(wait_conn(s, 3000));
        CHECK(send_str(c, "v6") == 2);
        CHECK(recv_is(s, "v6"));
        /* And over IPv6 proper, when the host has ::1. */
        if (have_ipv6()) {
            int c6 = timed_socket(NN_PAIR);
            setint(c6, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
            nn_close(c);
            c = timed_socket(NN_PAIR);
            snprintf(addr, sizeof(addr), "tcp://[::1]:%d", port);
            CHECK(nn_connect(c6, addr) >= 0);
            CHECK(wait_conn(c6, 3000));
            CHECK(send_str(c6, "v6!") == 3);
            CHECK(recv_is(s, "v6!"));
            nn_close(c6);
        } else {
            fprintf(stderr, "  (no IPv6 loopback: skipped)\n");
        }
    }
    nn_close(s);
    nn_close(c);

    /* TCP_NODELAY option is accepted and used. */
    s = timed_socket(NN_PAIR);
    c = timed_socket(NN_PAIR);
    setint(s, NN_TCP, NN_TCP_NODELAY, 1);
    setint(c, NN_TCP, NN_TCP_NODELAY, 1);
    mkaddr(addr, sizeof(addr), TCP, NULL);
    CHECK(nn_bind(s, addr) >= 0);
    CHECK(nn_connect(c, addr) >= 0);
    CHECK(send_str(c, "nd") == 2);
    CHECK(recv_is(s, "nd"));
    nn_close(s);
    nn_close(c);
}

static int unix_listener(const char *path, int do_listen)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
    unlink(path);
    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
        perror("unix bind");
        close(fd);
        return -1;
    }
    if (do_listen)
        listen(fd, 5);
    return fd;
}

static void test_ipc_files(void)
{
    char addr[256];
    char path[160];
    struct stat st;
    int s = timed_socket(NN_PAIR);
    int c = timed_socket(NN_PAIR);
    int fd;
    int eid;

    /* Path length: 107 fine, 108 ENAMETOOLONG (bind and connect). */
    snprintf(path, sizeof(path), "/tmp/nnt-%d-", (int) getpid());
    while (strlen(path) < 107)
        strcat(path, "x");
    snprintf(addr, sizeof(addr), "ipc://%s", path);
    eid = nn_bind(s, addr);
    CHECK(eid >= 0);
    CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK(nn_shutdown(s, eid) == 0);
    sleep_ms(20);
    CHECK(stat(path, &st) < 0 && errno == ENOENT);
    strcat(addr, "x");
    CHECK(nn_bind(s, addr) < 0 && nn_errno() == ENAMETOOLONG);
    CHECK(nn_connect(s, addr) < 0 && nn_errno() == ENAMETOOLONG);

    /* Missing directory. */
    CHECK(nn_bind(s, "ipc:///nonexistent-dir-nnt/x.ipc") < 0 &&
          nn_errno() == ENOENT);

    /* A stale socket file is reclaimed. */
    snprintf(path, sizeof(path), "/tmp/nnt-%d-stale.ipc", (int) getpid());
    snprintf(addr, sizeof(addr), "ipc://%s", path);
    fd = unix_listener(path, 0);
    CHECK(fd >= 0);
    close(fd);
    CHECK(stat(path, &st) == 0);
    eid = nn_bind(s, addr);
    CHECK(eid >= 0);
    CHECK(nn_connect(c, addr) >= 0);
    CHECK(wait_conn(s, 3000));
    CHECK(send_str(c, "fresh") == 5);
    CHECK(recv_is(s, "fresh"));
    CHECK(nn_shutdown(s, eid) == 0);

    /* A live listener: EADDRINUSE, and its file is left alone. */
    fd = unix_listener(path, 1);
    CHECK(fd >= 0);
    CHECK(nn_bind(s, addr) < 0 && nn_errno() == EADDRINUSE);
    CHECK(stat(path, &st) == 0);
    close(fd);
    unlink(path);

    /* A regular file at the path is replaced, as libnanomsg does. */
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0);
    close(fd);
    eid = nn_bind(s, addr);
    CHECK(eid >= 0);
    CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    nn_close(s);
    /* Closing the socket unlinks the file. */
    CHECK(stat(path, &st) < 0 && errno == ENOENT);
    nn_close(c);

    /* Empty path binds (autobind). */
    s = timed_socket(NN_PAIR);
    CHECK(nn_bind(s, "ipc://") >= 0);
    nn_close(s);
}

/* --- raw peers -------------------------------------------------------- */

static int raw_connect(int tr, const char *addr)
{
    int fd;
    struct timeval tv = {3, 0};

    if (tr == TCP) {
        struct sockaddr_in sa;
        const char *colon = strrchr(addr, ':');
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons((uint16_t) atoi(colon + 1));
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
            close(fd);
            return -1;
        }
    } else {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        strncpy(sa.sun_path, addr + 6, sizeof(sa.sun_path) - 1);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
            close(fd);
            return -1;
        }
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static int read_exact(int fd, void *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = recv(fd, (char *) buf + got, n - got, 0);
        if (r <= 0)
            return (int) got;
        got += (size_t) r;
    }
    return (int) got;
}

/* 1 when the peer closes the connection within ms (reads discard data). */
static int peer_closes(int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    char buf[256];

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return 1;
        if (r < 0)
            return 0;
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t) v;
        v >>= 8;
    }
}

/* A raw PAIR peer sends 200 messages of 1000 bytes (more than NN_RCVBUF
   but less than that plus the kernel buffers) and closes. */
static void test_burst_then_close(int tr, int s, const char *addr,
                                  int send_first)
{
    static const uint8_t pairhdr[8] = {0, 'S', 'P', 0, 0, 0x10, 0, 0};
    const int count = 200;
    size_t pl = tr == IPC ? 9 : 8;
    size_t one = pl + 1000;
    uint8_t *m = calloc((size_t) count, one);
    uint8_t hdr[8];
    uint64_t broken = stat_of(s, NN_STAT_BROKEN_CONNECTIONS);
    size_t off = 0;
    int fd;
    int i;

    if (m == NULL)
        return;
    for (i = 0; i < count; i++) {
        m[i * one] = 0x01;
        put64(m + i * one + pl - 8, 1000);
        memset(m + i * one + pl, 'a' + i % 26, 1000);
    }
    fd = raw_connect(tr, addr);
    CHECK(send(fd, pairhdr, 8, 0) == 8);
    CHECK(read_exact(fd, hdr, 8) == 8);
    CHECK(wait_conn(s, 2000));
    while (off < (size_t) count * one) {
        ssize_t n = send(fd, m + off, (size_t) count * one - off, 0);
        if (n <= 0)
            break;
        off += (size_t) n;
    }
    CHECK(off == (size_t) count * one);
    close(fd);
    sleep_ms(200);
    if (send_first) {
        /* Several sends: the first may still be taken by the kernel. */
        for (i = 0; i < 5 && stat_of(s, NN_STAT_CURRENT_CONNECTIONS); i++) {
            nn_send(s, "x", 1, NN_DONTWAIT);
            sleep_ms(20);
        }
        CHECK(wait_no_conn(s, 2000));
        CHECK(stat_of(s, NN_STAT_BROKEN_CONNECTIONS) == broken + 1);
        free(m);
        return;
    }
    for (i = 0; i < count; i++) {
        char buf[1000];
        int n = nn_recv(s, buf, sizeof(buf), 0);
        if (n != 1000 || buf[0] != 'a' + i % 26 || buf[999] != buf[0]) {
            fprintf(stderr, "  burst: message %d of %d missing\n", i, count);
            failures++;
            break;
        }
    }
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, broken + 1, 2000));
    CHECK(wait_no_conn(s, 2000));
    free(m);
}

static void test_raw_peers(int tr)
{
    char addr[128];
    int s = timed_socket(NN_PAIR);
    static const uint8_t pairhdr[8] = {0, 'S', 'P', 0, 0, 0x10, 0, 0};
    uint8_t hdr[8];
    uint8_t frame[32];
    size_t pl = tr == IPC ? 9 : 8;
    uint64_t broken;
    uint64_t t0;
    int fd;

    mkaddr(addr, sizeof(addr), tr, NULL);
    setint(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 100);
    CHECK(nn_bind(s, addr) >= 0);

    /* Garbage instead of a header. */
    fd = raw_connect(tr, addr);
    CHECK(fd >= 0);
    CHECK(send(fd, "GET / HTTP/1.1\r\n", 16, 0) == 16);
    CHECK(read_exact(fd, hdr, 8) == 8 && memcmp(hdr, pairhdr, 8) == 0);
    CHECK(peer_closes(fd, 2000));
    close(fd);
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, 1, 2000));

    /* Wrong protocol id (PUB talking to PAIR). */
    fd = raw_connect(tr, addr);
    memcpy(hdr, pairhdr, 8);
    hdr[5] = 0x20;
    CHECK(send(fd, hdr, 8, 0) == 8);
    CHECK(peer_closes(fd, 2000));
    close(fd);
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, 2, 2000));

    /* Silence: closed after the 1000 ms header timeout. */
    fd = raw_connect(tr, addr);
    t0 = now_ms();
    CHECK(peer_closes(fd, 3000));
    CHECK(now_ms() - t0 >= 900 && now_ms() - t0 < 2500);
    close(fd);
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, 3, 2000));

    /* A good peer with non-zero reserved bytes; message framing both ways;
       then a message above RCVMAXSIZE drops the connection. */
    fd = raw_connect(tr, addr);
    memcpy(hdr, pairhdr, 8);
    hdr[6] = 0xab;
    hdr[7] = 0xcd;
    CHECK(send(fd, hdr, 8, 0) == 8);
    CHECK(read_exact(fd, hdr, 8) == 8 && memcmp(hdr, pairhdr, 8) == 0);
    CHECK(wait_conn(s, 2000));
    frame[0] = 0x01;
    put64(frame + pl - 8, 5);
    memcpy(frame + pl, "hello", 5);
    CHECK(send(fd, frame, pl + 5, 0) == (ssize_t) (pl + 5));
    CHECK(recv_is(s, "hello"));
    CHECK(send_str(s, "world") == 5);
    {
        uint8_t got[32];
        CHECK(read_exact(fd, got, pl + 5) == (int) (pl + 5));
        CHECK(memcmp(got, frame, pl - 8) == 0 || tr == TCP);
        CHECK(got[pl - 1] == 5 && memcmp(got + pl, "world", 5) == 0);
    }
    /* Exactly the limit passes. */
    {
        uint8_t m[128];
        memset(m, 0x5a, sizeof(m));
        memcpy(m, frame, pl - 8);
        put64(m + pl - 8, 100);
        CHECK(send(fd, m, pl, 0) == (ssize_t) pl);
        memset(m, 0x5a, 100);
        CHECK(send(fd, m, 100, 0) == 100);
        CHECK(nn_recv(s, m, sizeof(m), 0) == 100);
    }
    broken = stat_of(s, NN_STAT_BROKEN_CONNECTIONS);
    put64(frame + pl - 8, 101);
    CHECK(send(fd, frame, pl, 0) == (ssize_t) pl);
    CHECK(peer_closes(fd, 2000));
    close(fd);
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, broken + 1, 2000));

    /* Whole messages read before an oversized one are still received;
       the connection ends once they are taken. */
    fd = raw_connect(tr, addr);
    CHECK(send(fd, pairhdr, 8, 0) == 8);
    CHECK(read_exact(fd, hdr, 8) == 8);
    CHECK(wait_conn(s, 2000));
    {
        uint8_t burst[3 * 16 + 16];
        size_t n = 0;
        const char *words[3] = {"one", "two", "three"};
        for (int i = 0; i < 3; i++) {
            size_t len = strlen(words[i]);
            memcpy(burst + n, frame, pl - 8);   /* ipc type byte */
            put64(burst + n + pl - 8, len);
            memcpy(burst + n + pl, words[i], len);
            n += pl + len;
        }
        memcpy(burst + n, frame, pl - 8);
        put64(burst + n + pl - 8, 101);
        n += pl;
        broken = stat_of(s, NN_STAT_BROKEN_CONNECTIONS);
        CHECK(send(fd, burst, n, 0) == (ssize_t) n);
        sleep_ms(200);   /* read, and the oversized prefix seen */
        CHECK(recv_is(s, "one"));
        CHECK(recv_is(s, "two"));
        CHECK(recv_is(s, "three"));
        CHECK(peer_closes(fd, 2000));
        close(fd);
        CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, broken + 1, 2000));
    }

    /* ipc: a type byte other than 0x01. */
    if (tr == IPC) {
        fd = raw_connect(tr, addr);
        CHECK(send(fd, pairhdr, 8, 0) == 8);
        CHECK(read_exact(fd, hdr, 8) == 8);
        frame[0] = 0x02;
        put64(frame + 1, 1);
        frame[9] = 'x';
        CHECK(send(fd, frame, 10, 0) == 10);
        CHECK(peer_closes(fd, 2000));
        close(fd);
    }

    /* Hostile length with no limit: nothing huge is allocated; the peer
       dies mid-message. */
    setint(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    fd = raw_connect(tr, addr);
    CHECK(send(fd, pairhdr, 8, 0) == 8);
    CHECK(read_exact(fd, hdr, 8) == 8);
    frame[0] = 0x01;
    put64(frame + pl - 8, (uint64_t) 1 << 62);
    memcpy(frame + pl, "abc", 3);
    CHECK(send(fd, frame, pl + 3, 0) == (ssize_t) (pl + 3));
    sleep_ms(50);
    broken = stat_of(s, NN_STAT_BROKEN_CONNECTIONS);
    close(fd);
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, broken + 1, 2000));

    /* Half-close: the connection is dropped. */
    fd = raw_connect(tr, addr);
    CHECK(send(fd, pairhdr, 8, 0) == 8);
    CHECK(read_exact(fd, hdr, 8) == 8);
    put64(frame + pl - 8, 4);
    memcpy(frame + pl, "last", 4);
    CHECK(send(fd, frame, pl + 4, 0) == (ssize_t) (pl + 4));
    CHECK(recv_is(s, "last"));
    shutdown(fd, SHUT_WR);
    CHECK(peer_closes(fd, 2000));
    close(fd);

    /* A peer that sends and closes at once: what it sent is received. */
    {
        uint8_t m[64 * 13];
        size_t ml = 0;
        int i;
        fd = raw_connect(tr, addr);
        CHECK(send(fd, pairhdr, 8, 0) == 8);
        CHECK(read_exact(fd, hdr, 8) == 8);
        for (i = 0; i < 50; i++) {
            memcpy(m + ml, frame, pl - 8);
            put64(m + ml + pl - 8, 4);
            memcpy(m + ml + pl, "byeN", 4);
            m[ml + pl + 3] = (uint8_t) ('0' + i % 10);
            ml += pl + 4;
        }
        broken = stat_of(s, NN_STAT_BROKEN_CONNECTIONS);
        CHECK(send(fd, m, ml, 0) == (ssize_t) ml);
        close(fd);
        sleep_ms(100);
        for (i = 0; i < 50; i++) {
            char want[8];
            snprintf(want, sizeof(want), "bye%d", i % 10);
            if (!recv_is(s, want)) {
                failures++;
                break;
            }
        }
        /* Drained: now the connection goes. */
        CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, broken + 1, 2000));
        CHECK(wait_no_conn(s, 2000));

        /* The same with more than the receive queue holds: reading pauses
           and the hang-up arrives meanwhile (on ipc, as EPOLLHUP). */
        test_burst_then_close(tr, s, addr, 0);
        /* And when the application sends to the vanished peer before
           reading: the write fails and the connection goes at once. */
        test_burst_then_close(tr, s, addr, 1);
    }

    /* The socket still works with a proper peer. */
    {
        int c = timed_socket(NN_PAIR);
        CHECK(nn_connect(c, addr) >= 0);
        CHECK(send_str(c, "alive") == 5);
        CHECK(recv_is(s, "alive"));
        nn_close(c);
    }
    nn_close(s);
}

/* Reconnect timing against a listener that accepts and closes at once:
   delays 0, ivl, 3 ivl, ... capped at max (TRANSPORTS.md section 6). */
static void test_backoff_timing(void)
{
    char addr[128];
    int port;
    int lfd;
    int s = timed_socket(NN_PAIR);
    struct sockaddr_in sa;
    uint64_t t[8];
    int n;

    mkaddr(addr, sizeof(addr), TCP, &port);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t) port);
    CHECK(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
    CHECK(listen(lfd, 5) == 0);
    setint(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 60);
    setint(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 250);
    CHECK(nn_connect(s, addr) >= 0);
    for (n = 0; n < 7; n++) {
        int fd = accept(lfd, NULL, NULL);
        t[n] = now_ms();
        if (fd < 0)
            break;
        close(fd);
    }
    CHECK(n == 7);
    if (n == 7) {
        /* Expected gaps: 0, 60, 180, 250, 250, 250 (+ scheduling noise). */
        static const int expect[6] = {0, 60, 180, 250, 250, 250};
        for (int i = 0; i < 6; i++) {
            int gap = (int) (t[i + 1] - t[i]);
            if (gap < expect[i] - 5 || gap > expect[i] + 150) {
                fprintf(stderr, "  backoff gap %d: %d ms, expected %d\n", i,
                        gap, expect[i]);
                failures++;
            }
        }
    }
    CHECK(wait_stat(s, NN_STAT_BROKEN_CONNECTIONS, 7, 2000));
    CHECK(stat_of(s, NN_STAT_ESTABLISHED_CONNECTIONS) ==
          stat_of(s, NN_STAT_BROKEN_CONNECTIONS));
    CHECK(stat_of(s, NN_STAT_CONNECT_ERRORS) == 0);
    nn_close(s);
    close(lfd);
}

/* Our connector's bytes, checked by a raw listener. */
static void test_raw_listener(void)
{
    char addr[128];
    int port;
    int lfd;
    int fd;
    int s = timed_socket(NN_REQ);
    struct sockaddr_in sa;
    uint8_t hdr[8];
    uint8_t m[32];
    static const uint8_t reqhdr[8] = {0, 'S', 'P', 0, 0, 0x30, 0, 0};
    static const uint8_t rephdr[8] = {0, 'S', 'P', 0, 0, 0x31, 0, 0};
    struct timeval tv = {3, 0};

    mkaddr(addr, sizeof(addr), TCP, &port);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t) port);
    CHECK(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
    CHECK(listen(lfd, 5) == 0);
    CHECK(nn_connect(s, addr) >= 0);
    fd = accept(lfd, NULL, NULL);
    CHECK(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    CHECK(read_exact(fd, hdr, 8) == 8 && memcmp(hdr, reqhdr, 8) == 0);
    CHECK(send(fd, rephdr, 8, 0) == 8);
    CHECK(send_str(s, "hello") == 5);
    CHECK(read_exact(fd, m, 17) == 17);
    CHECK(m[7] == 9 && (m[8] & 0x80) && memcmp(m + 12, "hello", 5) == 0);
    /* Reply with the same id. */
    memcpy(m + 12, "world", 5);
    CHECK(send(fd, m, 17, 0) == 17);
    CHECK(recv_is(s, "world"));
    close(fd);
    close(lfd);
    nn_close(s);
}

int main(void)
{
    int tr;
    int fds;

    /* The first socket starts the I/O thread, and the first blocking call
       makes the thread's wait descriptor: both stay for the process. */
    {
        int s = timed_socket(NN_PAIR);
        int tmo = 1;
        char c;
        nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo));
        nn_recv(s, &c, 1, 0);
        nn_close(s);
    }
    fds = count_fds();

    for (tr = TCP; tr <= IPC; tr++) {
        fprintf(stderr, "-- %s\n", trname[tr]);
        test_pair(tr);
        test_reqrep(tr);
        test_pushpull(tr);
        test_pubsub(tr);
        test_survey_bus(tr);
        test_large(tr);
        test_duplex(tr);
        test_reconnect(tr);
        test_incompatible(tr);
        test_pair_second_peer(tr);
        test_close_busy(tr);
        test_raw_peers(tr);
    }
    test_tcp_addresses();
    test_ipc_files();
    test_raw_listener();
    test_backoff_timing();
    sleep_ms(50);
    CHECK(count_fds() == fds);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
