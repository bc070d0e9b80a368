/*
 * nnbench: one cell of the C-level benchmark through the nn.h API.
 *
 *   nnbench TEST TRANSPORT SIZE [SECONDS]
 *
 *   TEST       lat   REQ/REP round trip (median, p99)
 *              thr   PUSH/PULL one-way throughput (messages/s, MB/s)
 *              loop  one thread: nn_send on one PAIR, nn_recv on its peer
 *   TRANSPORT  inproc | ipc | tcp | ws (ws://127.0.0.1:PORT, binary frames)
 *   SIZE       message size in bytes (> 0)
 *   SECONDS    upper bound of the timed region (default 0.25)
 *
 * NNBENCH_TCP_NODELAY=1 in the environment sets NN_TCP_NODELAY on every
 * socket (default: the library's default, Nagle on), for diagnosis.
 *
 * The same source is linked against our vendor/nanomsg and against the
 * system libnanomsg (see Makefile); LIBNAME names the build in the output.
 * Output: one JSON object on stdout.  Exit status 0 on success, 2 when the
 * library refuses the transport (reported as "unsupported"), 1 otherwise.
 *
 * The measuring end is always this process's main thread.  The peer is a
 * thread for inproc and a child forked before the library is first used for
 * ipc/tcp.  The two ends agree on phases over a pair of pipes carrying
 * one-byte tokens, so no set-up step ever lands in a timed region and the
 * library under test is never used for its own synchronisation.  Every
 * socket carries send/recv timeouts and alarm() bounds each process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/tcp.h>

#ifndef LIBNAME
#define LIBNAME "unknown"
#endif

#define IO_TIMEOUT_MS 5000
#define MAX_LAT_SAMPLES 200000

/* Phase tokens on the sync pipes. */
enum { TOK_BOUND = 'B', TOK_STOP = 'S', TOK_STOPPED = 'T', TOK_DONE = 'D',
       TOK_ERROR = 'E' };

struct chan {
    int rfd;
    int wfd;
};

struct cfg {
    const char *test;
    const char *transport;
    size_t size;
    double seconds;
    char addr[128];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void chan_put(const struct chan *ch, char tok)
{
    ssize_t rc;
    do {
        rc = write(ch->wfd, &tok, 1);
    } while (rc < 0 && errno == EINTR);
}

/* Waits up to timeout_ms for TOK; other tokens are skipped (a stale one
   never matches a later phase).  0 on success, -1 on timeout, EOF or
   an error token from the other end. */
static int chan_wait(const struct chan *ch, char tok, int timeout_ms)
{
    uint64_t end = now_ns() + (uint64_t) timeout_ms * 1000000u;
    for (;;) {
        uint64_t t = now_ns();
        if (t >= end)
            return -1;
        struct pollfd p = { .fd = ch->rfd, .events = POLLIN, .revents = 0 };
        int rc = poll(&p, 1, (int) ((end - t) / 1000000u) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        char got;
        ssize_t n = read(ch->rfd, &got, 1);
        if (n <= 0)
            return -1;
        if (got == tok)
            return 0;
        if (got == TOK_ERROR)
            return -1;
    }
}

/* Non-blocking: 1 if TOK has arrived, else 0. */
static int chan_check(const struct chan *ch, char tok)
{
    for (;;) {
        struct pollfd p = { .fd = ch->rfd, .events = POLLIN, .revents = 0 };
        if (poll(&p, 1, 0) <= 0)
            return 0;
        char got;
        if (read(ch->rfd, &got, 1) != 1)
            return 0;
        if (got == tok || got == TOK_ERROR)
            return 1;
    }
}

static int fail(const char *what)
{
    int err = nn_errno();
    fprintf(stderr, "nnbench[" LIBNAME "]: %s: %s\n", what, nn_strerror(err));
    return err == EPROTONOSUPPORT ? 2 : 1;
}

/* A socket with the bench's options: bounded blocking, no size limit
   (libnanomsg's default limit counts the SP header, so a 1 MiB REQ would
   be dropped). */
static int open_sock(int protocol)
{
    int s = nn_socket(AF_SP, protocol);
    if (s < 0)
        return -1;
    int ms = IO_TIMEOUT_MS;
    int unlimited = -1;
    const char *nd = getenv("NNBENCH_TCP_NODELAY");
    int nodelay = nd && *nd == '1';
    if ((nodelay && nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &nodelay,
                                  sizeof nodelay) < 0) ||
        nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms) < 0 ||
        nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &ms, sizeof ms) < 0 ||
        nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &unlimited,
                      sizeof unlimited) < 0) {
        int err = nn_errno();
        nn_close(s);
        errno = err;
        return -1;
    }
    return s;
}

static void set_rcvtimeo(int s, int ms)
{
    nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

static size_t stride(size_t size)
{
    size_t k = ((size_t) 1 << 20) / size;
    return k < 1 ? 1 : k > 256 ? 256 : k;
}

/* ---- REQ/REP ----------------------------------------------------------- */

/* REP: binds, echoes (zero-copy) until the empty end marker. */
static int lat_peer(const struct cfg *c, const struct chan *ch)
{
    int s = open_sock(NN_REP);
    if (s < 0) {
        chan_put(ch, TOK_ERROR);
        return fail("nn_socket(REP)");
    }
    if (nn_bind(s, c->addr) < 0) {
        int rc = fail("nn_bind");
        chan_put(ch, TOK_ERROR);
        nn_close(s);
        return rc;
    }
    chan_put(ch, TOK_BOUND);
    int rc = 0;
    for (;;) {
        void *m = NULL;
        int n = nn_recv(s, &m, NN_MSG, 0);
        if (n < 0) {
            rc = fail("REP nn_recv");
            break;
        }
        if (nn_send(s, &m, NN_MSG, 0) < 0) {
            nn_freemsg(m);
            rc = fail("REP nn_send");
            break;
        }
        if (n == 0)
            break;
    }
    chan_wait(ch, TOK_DONE, IO_TIMEOUT_MS * 2);
    nn_close(s);
    return rc;
}

static int round_trip(int s, const char *buf, size_t size)
{
    if (nn_send(s, buf, size, 0) < 0)
        return -1;
    void *m = NULL;
    int n = nn_recv(s, &m, NN_MSG, 0);
    if (n < 0)
        return -1;
    nn_freemsg(m);
    return n;
}

static int lat_main(const struct cfg *c, const struct chan *ch)
{
    if (chan_wait(ch, TOK_BOUND, 10000) < 0) {
        fprintf(stderr, "nnbench[" LIBNAME "]: peer did not bind\n");
        return 1;
    }
    int s = open_sock(NN_REQ);
    if (s < 0)
        return fail("nn_socket(REQ)");
    char *buf = malloc(c->size);
    uint64_t *samples = malloc(MAX_LAT_SAMPLES * sizeof *samples);
    int rc = 0;
    size_t k = 0;
    if (!buf || !samples) {
        fprintf(stderr, "nnbench: out of memory\n");
        rc = 1;
        goto out;
    }
    memset(buf, 1, c->size);
    if (nn_connect(s, c->addr) < 0) {
        rc = fail("nn_connect");
        goto out;
    }
    uint64_t warm_end = now_ns() + (uint64_t) (c->seconds * 0.2e9);
    for (int i = 0; i < 200 && (i < 5 || now_ns() < warm_end); i++) {
        if (round_trip(s, buf, c->size) != (int) c->size) {
            rc = fail("warm-up round trip");
            goto out;
        }
    }
    uint64_t deadline = now_ns() + (uint64_t) (c->seconds * 1e9);
    while (k < MAX_LAT_SAMPLES) {
        uint64_t t0 = now_ns();
        if (round_trip(s, buf, c->size) < 0) {
            rc = fail("round trip");
            goto out;
        }
        uint64_t t1 = now_ns();
        samples[k++] = t1 - t0;
        if (t1 > deadline)
            break;
    }
    if (round_trip(s, buf, 0) != 0)
        rc = fail("end marker");
out:
    chan_put(ch, TOK_DONE);
    nn_close(s);
    if (rc == 0) {
        qsort(samples, k, sizeof *samples, cmp_u64);
        size_t p99 = k * 99 / 100;
        printf("{\"impl\": \"%s\", \"test\": \"lat\", \"transport\": \"%s\", "
               "\"size\": %zu, \"n\": %zu, \"median_us\": %.3f, "
               "\"p99_us\": %.3f, \"min_us\": %.3f}\n",
               LIBNAME, c->transport, c->size, k, samples[k / 2] / 1e3,
               samples[p99 < k ? p99 : k - 1] / 1e3, samples[0] / 1e3);
    }
    free(buf);
    free(samples);
    return rc;
}

/* ---- PUSH/PULL --------------------------------------------------------- */

/* PUSH: connects, sends until told to stop (or a hard time bound). */
static int thr_peer(const struct cfg *c, const struct chan *ch)
{
    if (chan_wait(ch, TOK_BOUND, 10000) < 0)
        return 1;
    int s = open_sock(NN_PUSH);
    if (s < 0)
        return fail("nn_socket(PUSH)");
    char *buf = malloc(c->size);
    int rc = 0;
    if (!buf) {
        rc = 1;
        goto out;
    }
    memset(buf, 2, c->size);
    if (nn_connect(s, c->addr) < 0) {
        rc = fail("nn_connect");
        goto out;
    }
    size_t k = stride(c->size);
    uint64_t hard_end = now_ns() + (uint64_t) ((c->seconds + 20) * 1e9);
    while (!chan_check(ch, TOK_STOP) && now_ns() < hard_end) {
        for (size_t i = 0; i < k; i++) {
            if (nn_send(s, buf, c->size, 0) < 0) {
                rc = fail("PUSH nn_send");
                goto out;
            }
        }
    }
out:
    chan_put(ch, rc ? TOK_ERROR : TOK_STOPPED);
    chan_wait(ch, TOK_DONE, IO_TIMEOUT_MS * 2);
    nn_close(s);
    free(buf);
    return rc;
}

static int recv_one(int s)
{
    void *m = NULL;
    int n = nn_recv(s, &m, NN_MSG, 0);
    if (n >= 0)
        nn_freemsg(m);
    return n;
}

static int thr_main(const struct cfg *c, const struct chan *ch)
{
    int s = open_sock(NN_PULL);
    if (s < 0)
        return fail("nn_socket(PULL)");
    if (nn_bind(s, c->addr) < 0) {
        int rc = fail("nn_bind");
        chan_put(ch, TOK_ERROR);
        nn_close(s);
        return rc;
    }
    chan_put(ch, TOK_BOUND);
    int rc = 0;
    long got = 0;
    uint64_t t0 = 0, t1 = 0;
    long warm = c->size >= 65536 ? 50 : 2000;
    for (long i = 0; i < warm; i++) {
        if (recv_one(s) != (int) c->size) {
            rc = fail("warm-up nn_recv");
            goto out;
        }
    }
    t0 = t1 = now_ns();
    uint64_t deadline = t0 + (uint64_t) (c->seconds * 1e9);
    for (;;) {
        if (recv_one(s) < 0) {
            rc = fail("PULL nn_recv");
            goto out;
        }
        got++;
        if ((got & 63) == 0 || c->size >= 65536) {
            t1 = now_ns();
            if (t1 > deadline)
                break;
        }
    }
out:
    chan_put(ch, TOK_STOP);
    /* Drain so that a sender blocked on a full pipe sees the stop token. */
    set_rcvtimeo(s, 20);
    uint64_t drain_end = now_ns() + 10000000000u;
    while (!chan_check(ch, TOK_STOPPED) && now_ns() < drain_end)
        recv_one(s);
    chan_put(ch, TOK_DONE);
    nn_close(s);
    if (rc == 0) {
        double sec = (double) (t1 - t0) / 1e9;
        printf("{\"impl\": \"%s\", \"test\": \"thr\", \"transport\": \"%s\", "
               "\"size\": %zu, \"n\": %ld, \"msgs_s\": %.1f, \"mb_s\": %.2f}\n",
               LIBNAME, c->transport, c->size, got, got / sec,
               got * (double) c->size / sec / 1e6);
    }
    return rc;
}

/* ---- same-thread loop --------------------------------------------------- */

static int loop_main(const struct cfg *c)
{
    int a = open_sock(NN_PAIR), b = open_sock(NN_PAIR);
    char *buf = malloc(c->size);
    int rc = 0;
    long done = 0;
    uint64_t t0 = 0, t1 = 0;
    if (a < 0 || b < 0 || !buf) {
        rc = fail("nn_socket(PAIR)");
        goto out;
    }
    memset(buf, 4, c->size);
    if (nn_bind(b, c->addr) < 0 || nn_connect(a, c->addr) < 0) {
        rc = fail("bind/connect");
        goto out;
    }
    for (int i = 0; i < 1000; i++) {
        if (nn_send(a, buf, c->size, 0) < 0 || recv_one(b) < 0) {
            rc = fail("warm-up");
            goto out;
        }
    }
    /* CPU time of this thread beside wall time: on a loaded machine the
       time spent preempted inflates only the latter. */
    struct timespec c0, c1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    t0 = now_ns();
    uint64_t deadline = t0 + (uint64_t) (c->seconds * 1e9);
    do {
        for (int i = 0; i < 256; i++) {
            if (nn_send(a, buf, c->size, 0) < 0 || recv_one(b) < 0) {
                rc = fail("send/recv");
                goto out;
            }
        }
        done += 256;
        t1 = now_ns();
    } while (t1 < deadline);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    double cpu = (double) (c1.tv_sec - c0.tv_sec) * 1e9 +
                 (double) (c1.tv_nsec - c0.tv_nsec);
    printf("{\"impl\": \"%s\", \"test\": \"loop\", \"transport\": \"%s\", "
           "\"size\": %zu, \"n\": %ld, \"ns_per_msg\": %.1f, \"msgs_s\": %.1f, "
           "\"cpu_ns_per_msg\": %.1f}\n",
           LIBNAME, c->transport, c->size, done, (double) (t1 - t0) / done,
           done / ((double) (t1 - t0) / 1e9), cpu / done);
out:
    if (a >= 0)
        nn_close(a);
    if (b >= 0)
        nn_close(b);
    free(buf);
    return rc;
}

/* ---- set-up -------------------------------------------------------------- */

/* A port the kernel just handed out; the tiny race with other programs
   is acceptable for a benchmark. */
static int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *) &sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

struct peer_arg {
    const struct cfg *c;
    struct chan ch;
    int rc;
};

static void *peer_thread(void *p)
{
    struct peer_arg *a = p;
    if (strcmp(a->c->test, "lat") == 0)
        a->rc = lat_peer(a->c, &a->ch);
    else
        a->rc = thr_peer(a->c, &a->ch);
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: nnbench lat|thr|loop inproc|ipc|tcp|ws SIZE [SECONDS]\n");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    struct cfg c;
    memset(&c, 0, sizeof c);
    c.test = argv[1];
    c.transport = argv[2];
    char *end = NULL;
    unsigned long long sz = strtoull(argv[3], &end, 10);
    c.size = (size_t) sz;
    c.seconds = argc > 4 ? atof(argv[4]) : 0.25;
    if (*end || sz == 0 || sz > (1u << 30) || c.seconds <= 0 || c.seconds > 60)
        return usage();
    int is_lat = strcmp(c.test, "lat") == 0;
    int is_thr = strcmp(c.test, "thr") == 0;
    int is_loop = strcmp(c.test, "loop") == 0;
    if (!is_lat && !is_thr && !is_loop)
        return usage();

    if (strcmp(c.transport, "inproc") == 0) {
        snprintf(c.addr, sizeof c.addr, "inproc://nnbench-%d", (int) getpid());
    } else if (strcmp(c.transport, "ipc") == 0) {
        snprintf(c.addr, sizeof c.addr, "ipc:///tmp/nnbench-%d.ipc", (int) getpid());
    } else if (strcmp(c.transport, "tcp") == 0 || strcmp(c.transport, "ws") == 0) {
        int port = free_tcp_port();
        if (port < 0)
            return 1;
        snprintf(c.addr, sizeof c.addr, "%s://127.0.0.1:%d", c.transport, port);
    } else {
        return usage();
    }
    /* Watchdog: the default SIGALRM action ends a stuck process. */
    alarm((unsigned) c.seconds + 40);

    if (is_loop)
        return loop_main(&c);

    int to_peer[2], to_main[2];
    if (pipe(to_peer) < 0 || pipe(to_main) < 0)
        return 1;
    struct chan main_ch = { .rfd = to_main[0], .wfd = to_peer[1] };
    struct peer_arg pa = { .c = &c, .ch = { .rfd = to_peer[0], .wfd = to_main[1] },
                           .rc = 0 };
    int rc;
    if (strcmp(c.transport, "inproc") == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, peer_thread, &pa) != 0)
            return 1;
        rc = is_lat ? lat_main(&c, &main_ch) : thr_main(&c, &main_ch);
        pthread_join(t, NULL);
        if (rc == 0)
            rc = pa.rc;
    } else {
        /* Fork before this process touches the library. */
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(to_peer[1]);
            close(to_main[0]);
            alarm((unsigned) c.seconds + 40);
            peer_thread(&pa);
            _exit(pa.rc);
        }
        close(to_peer[0]);
        close(to_main[1]);
        rc = is_lat ? lat_main(&c, &main_ch) : thr_main(&c, &main_ch);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        int prc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        if (rc == 0 || prc == 2)
            rc = prc;
    }
    if (strcmp(c.transport, "ipc") == 0)
        unlink(c.addr + strlen("ipc://"));
    return rc;
}
