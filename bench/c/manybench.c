/*
 * manybench: a REP server with many connected REQ clients, through nn.h.
 *
 *   manybench TRANSPORT CLIENTS [SECONDS [MODE]]
 *
 *   TRANSPORT  ipc | tcp
 *   CLIENTS    REQ sockets, each with its own connection to the one REP
 *   SECONDS    timed region (default 0.5)
 *   MODE       turn (default), load or idle:
 *
 * turn  The server is a thread echoing on a REP socket; the main thread
 *       connects CLIENTS REQ sockets, makes each do one round trip (so every
 *       connection is up and has been used), then sends a 64-byte request on
 *       each client in turn and waits for its reply until SECONDS pass. Both
 *       ends share one process, so the I/O thread watches 2 x CLIENTS
 *       connections: what is measured is what a wake-up costs with that many
 *       descriptors registered. Output: round trip median and p99, round
 *       trips/s.
 * load  Requests per second of one REP server (a thread of this process,
 *       echoing) under CLIENTS REQ clients that each keep one 64-byte
 *       request outstanding. The clients live in NPROC child processes,
 *       forked before the library is first used (libnanomsg allows 512
 *       sockets per process); each child watches its sockets' NN_RCVFD with
 *       poll(2) and sends the next request as soon as a reply is in. The
 *       count is taken at the server over SECONDS, with the server
 *       process's CPU time per request (all its threads; the clients'
 *       processes are not counted), which the machine's load moves less.
 * idle  Memory per idle connection. The server process binds a REP socket,
 *       reads its RSS, lets the children connect CLIENTS REQ sockets and do
 *       one round trip each, waits 0.2 s and reads its RSS again: the
 *       growth divided by CLIENTS is the server side of a connection. Each
 *       child reads its own RSS after its first socket did its round trip
 *       and again after the others did theirs: the growth divided by those
 *       other sockets is the client side (a REQ socket and its connection).
 *       SECONDS is unused.
 *
 * Output: one JSON object on stdout; exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#ifndef LIBNAME
#define LIBNAME "unknown"
#endif

#define SIZE 64
#define MAX_SAMPLES 400000

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *) &a, &len) != 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static void set_timeouts(int s)
{
    int ms = 5000;
    nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &ms, sizeof(ms));
    nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof(ms));
}

/* Requests the server has answered (read by the load mode's main thread). */
static atomic_ulong served;

static void *server_main(void *arg)
{
    int rep = *(int *) arg;
    for (;;) {
        void *m = NULL;
        int n = nn_recv(rep, &m, NN_MSG, 0);
        if (n < 0) {
            if (nn_errno() == ETIMEDOUT)
                continue;
            return NULL;   /* closed by main */
        }
        if (nn_send(rep, &m, NN_MSG, 0) < 0)
            nn_freemsg(m);
        else
            atomic_fetch_add_explicit(&served, 1, memory_order_relaxed);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static int round_trip(int s, const char *out, char *in)
{
    return nn_send(s, out, SIZE, 0) == SIZE && nn_recv(s, in, SIZE, 0) == SIZE &&
           memcmp(in, out, SIZE) == 0 ? 0 : -1;
}

static int turn_main(const char *transport, const char *addr, int nclients, double seconds)
{
    int rep = nn_socket(AF_SP, NN_REP);
    set_timeouts(rep);
    if (rep < 0 || nn_bind(rep, addr) < 0) {
        fprintf(stderr, "bind %s: %s\n", addr, nn_strerror(nn_errno()));
        return 1;
    }
    pthread_t srv;
    pthread_create(&srv, NULL, server_main, &rep);

    int *cl = calloc((size_t) nclients, sizeof(int));
    uint64_t *samples = malloc(MAX_SAMPLES * sizeof(uint64_t));
    char out[SIZE], in[SIZE];
    memset(out, 'q', sizeof(out));
    int rc = 1;
    if (!cl || !samples)
        return 1;
    for (int i = 0; i < nclients; i++) {
        cl[i] = nn_socket(AF_SP, NN_REQ);
        set_timeouts(cl[i]);
        if (cl[i] < 0 || nn_connect(cl[i], addr) < 0) {
            fprintf(stderr, "client %d: %s\n", i, nn_strerror(nn_errno()));
            goto out;
        }
    }
    for (int i = 0; i < nclients; i++) {
        if (round_trip(cl[i], out, in) != 0) {
            fprintf(stderr, "warm-up %d: %s\n", i, nn_strerror(nn_errno()));
            goto out;
        }
    }
    size_t k = 0;
    uint64_t t0 = now_ns(), end = t0 + (uint64_t) (seconds * 1e9), t = t0;
    while (t < end && k < MAX_SAMPLES) {
        int s = cl[k % (size_t) nclients];
        memcpy(out, &k, sizeof(k));
        if (round_trip(s, out, in) != 0) {
            fprintf(stderr, "round trip %zu: %s\n", k, nn_strerror(nn_errno()));
            goto out;
        }
        uint64_t t1 = now_ns();
        samples[k++] = t1 - t;
        t = t1;
    }
    double sec = (double) (t - t0) / 1e9;
    qsort(samples, k, sizeof(samples[0]), cmp_u64);
    size_t p99 = k * 99 / 100;
    printf("{\"impl\": \"%s\", \"test\": \"many\", \"transport\": \"%s\", "
           "\"clients\": %d, \"size\": %d, \"n\": %zu, \"median_us\": %.3f, "
           "\"p99_us\": %.3f, \"msgs_s\": %.1f}\n",
           LIBNAME, transport, nclients, SIZE, k, samples[k / 2] / 1e3,
           samples[p99 < k ? p99 : k - 1] / 1e3, k / sec);
    rc = 0;
out:
    for (int i = 0; i < nclients; i++)
        if (cl[i] > 0)
            nn_close(cl[i]);
    nn_close(rep);
    pthread_join(srv, NULL);
    free(cl);
    free(samples);
    return rc;
}

/* ---- load and idle: clients in child processes ---------------------------- */

#define NPROC 4

/* CPU time (user + system) of this whole process, all threads, in ns. */
static uint64_t cpu_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ((uint64_t) ru.ru_utime.tv_sec + (uint64_t) ru.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t) ru.ru_utime.tv_usec + (uint64_t) ru.ru_stime.tv_usec) * 1000u;
}

/* Resident set size in bytes (/proc/self/statm), or -1. */
static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = -1;
    fclose(f);
    return res < 0 ? -1 : res * sysconf(_SC_PAGESIZE);
}

/* One child's end of the phase pipes: it reads tokens from the parent on
   rfd and writes its tokens and its result line to wfd. */
struct child {
    pid_t pid;
    int rfd;   /* parent: the child's output */
    int wfd;   /* parent: tokens to the child */
    int n;     /* REQ sockets in this child */
};

static int read_tok(int fd, char *tok, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
    int rc;
    do {
        rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0)
        return -1;
    return read(fd, tok, 1) == 1 ? 0 : -1;
}

static void put_tok(int fd, char tok)
{
    ssize_t rc;
    do {
        rc = write(fd, &tok, 1);
    } while (rc < 0 && errno == EINTR);
}

/* Child: N REQ sockets, one round trip each ('R' to the parent), then
   in load mode a closed loop until 'S' (its count after the 'S'), in
   idle mode its RSS growth, then wait for 'Q' and leave. */
static int child_main(const char *addr, int n, int load, int rfd, int wfd)
{
    int *cl = calloc((size_t) n, sizeof(int));
    struct pollfd *pf = calloc((size_t) n + 1, sizeof *pf);
    char out[SIZE], in[SIZE], tok;
    long rss0 = 0, rss1 = 0;
    unsigned long got = 0;
    memset(out, 'q', sizeof(out));
    if (!cl || !pf)
        return 1;
    for (int i = 0; i < n; i++) {
        cl[i] = nn_socket(AF_SP, NN_REQ);
        if (cl[i] < 0) {
            fprintf(stderr, "client socket %d: %s\n", i, nn_strerror(nn_errno()));
            return 1;
        }
        set_timeouts(cl[i]);
        if (nn_connect(cl[i], addr) < 0 || round_trip(cl[i], out, in) != 0) {
            fprintf(stderr, "client %d: %s\n", i, nn_strerror(nn_errno()));
            return 1;
        }
        if (i == 0)
            rss0 = rss_bytes();
    }
    rss1 = rss_bytes();
    put_tok(wfd, 'R');
    if (load) {
        if (read_tok(rfd, &tok, 30000) < 0 || tok != 'G')
            return 1;
        for (int i = 0; i < n; i++) {
            size_t fsz = sizeof(int);
            if (nn_getsockopt(cl[i], NN_SOL_SOCKET, NN_RCVFD, &pf[i].fd, &fsz) < 0 ||
                nn_send(cl[i], out, SIZE, 0) != SIZE) {
                fprintf(stderr, "client %d: %s\n", i, nn_strerror(nn_errno()));
                return 1;
            }
            pf[i].events = POLLIN;
        }
        pf[n].fd = rfd;
        pf[n].events = POLLIN;
        for (;;) {
            int rc = poll(pf, (nfds_t) n + 1, 1000);
            if (rc < 0 && errno != EINTR)
                return 1;
            if (pf[n].revents)
                break;   /* 'S': stop sending */
            for (int i = 0; i < n && rc > 0; i++) {
                if (!pf[i].revents)
                    continue;
                rc--;
                int r = nn_recv(cl[i], in, SIZE, NN_DONTWAIT);
                if (r < 0 && nn_errno() == EAGAIN)
                    continue;
                if (r != SIZE || nn_send(cl[i], out, SIZE, 0) != SIZE) {
                    fprintf(stderr, "client %d: %s\n", i, nn_strerror(nn_errno()));
                    return 1;
                }
                got++;
            }
        }
        if (read(rfd, &tok, 1) != 1 || tok != 'S')
            return 1;
    }
    char line[128];
    int len = snprintf(line, sizeof line, "%lu %ld\n", got,
                       n > 1 ? (rss1 - rss0) / (n - 1) : 0);
    if (write(wfd, line, (size_t) len) != len)
        return 1;
    read_tok(rfd, &tok, 30000);   /* 'Q': the server has measured */
    for (int i = 0; i < n; i++)
        nn_close(cl[i]);
    free(cl);
    free(pf);
    return 0;
}

static int fork_children(struct child *ch, int nclients, const char *addr, int load)
{
    for (int p = 0; p < NPROC; p++) {
        int down[2], up[2];
        ch[p].n = nclients / NPROC + (p < nclients % NPROC);
        if (pipe(down) < 0 || pipe(up) < 0)
            return -1;
        fflush(stdout);
        ch[p].pid = fork();
        if (ch[p].pid < 0)
            return -1;
        if (ch[p].pid == 0) {
            close(down[1]);
            close(up[0]);
            for (int q = 0; q < p; q++) {
                close(ch[q].rfd);
                close(ch[q].wfd);
            }
            /* Wait for the parent's bind. */
            char tok;
            if (read_tok(down[0], &tok, 30000) < 0 || tok != 'B')
                _exit(1);
            _exit(ch[p].n > 0 ? child_main(addr, ch[p].n, load, down[0], up[1]) : 0);
        }
        close(down[0]);
        close(up[1]);
        ch[p].rfd = up[0];
        ch[p].wfd = down[1];
    }
    return 0;
}

/* Reads a child's "count rss-per-socket" line. */
static int read_result(const struct child *c, unsigned long *got, long *per)
{
    char buf[128];
    size_t len = 0;
    while (len < sizeof buf - 1) {
        char tok;
        if (read_tok(c->rfd, &tok, 30000) < 0)
            return -1;
        if (tok == '\n')
            break;
        buf[len++] = tok;
    }
    buf[len] = 0;
    return sscanf(buf, "%lu %ld", got, per) == 2 ? 0 : -1;
}

static int reap(struct child *ch)
{
    int bad = 0;
    for (int p = 0; p < NPROC; p++) {
        int st = 0;
        close(ch[p].wfd);
        close(ch[p].rfd);
        while (waitpid(ch[p].pid, &st, 0) < 0 && errno == EINTR)
            ;
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    return bad;
}

static int children_main(const char *mode, const char *transport, const char *addr,
                         int nclients, double seconds)
{
    int load = strcmp(mode, "load") == 0;
    struct child ch[NPROC];
    if (nclients < NPROC * 2) {
        fprintf(stderr, "manybench: %s needs at least %d clients\n", mode, NPROC * 2);
        return 1;
    }
    /* A child that failed has closed its pipe: see EPIPE, not SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    memset(ch, 0, sizeof ch);
    if (fork_children(ch, nclients, addr, load) < 0)
        return 1;
    int rc = 1;
    int rep = nn_socket(AF_SP, NN_REP);
    pthread_t srv;
    int srv_up = 0;
    if (rep < 0 || (set_timeouts(rep), nn_bind(rep, addr) < 0)) {
        fprintf(stderr, "bind %s: %s\n", addr, nn_strerror(nn_errno()));
        goto out;
    }
    usleep(100000);
    long rss0 = rss_bytes();
    if (pthread_create(&srv, NULL, server_main, &rep) != 0)
        goto out;
    srv_up = 1;
    for (int p = 0; p < NPROC; p++)
        put_tok(ch[p].wfd, 'B');
    for (int p = 0; p < NPROC; p++) {
        char tok;
        if (ch[p].n > 0 && (read_tok(ch[p].rfd, &tok, 60000) < 0 || tok != 'R')) {
            fprintf(stderr, "child %d did not get ready\n", p);
            goto out;
        }
    }
    unsigned long got[NPROC] = { 0 };
    long per[NPROC] = { 0 };
    if (load) {
        for (int p = 0; p < NPROC; p++)
            put_tok(ch[p].wfd, 'G');
        usleep(50000);   /* every request outstanding before the count starts */
        uint64_t t0 = now_ns(), cpu0 = cpu_ns();
        unsigned long c0 = atomic_load(&served);
        usleep((useconds_t) (seconds * 1e6));
        unsigned long c1 = atomic_load(&served);
        uint64_t t1 = now_ns(), cpu1 = cpu_ns();
        for (int p = 0; p < NPROC; p++)
            put_tok(ch[p].wfd, 'S');
        for (int p = 0; p < NPROC; p++)
            if (ch[p].n > 0 && read_result(&ch[p], &got[p], &per[p]) < 0)
                goto out;
        printf("{\"impl\": \"%s\", \"test\": \"many\", \"transport\": \"%s\", "
               "\"clients\": %d, \"size\": %d, \"n\": %lu, \"msgs_s\": %.1f, "
               "\"server_cpu_us\": %.2f}\n",
               LIBNAME, transport, nclients, SIZE, c1 - c0,
               (double) (c1 - c0) / ((double) (t1 - t0) / 1e9),
               c1 > c0 ? (double) (cpu1 - cpu0) / 1e3 / (double) (c1 - c0) : 0.0);
    } else {
        usleep(200000);
        long rss1 = rss_bytes();
        long sum = 0;
        int parts = 0;
        for (int p = 0; p < NPROC; p++) {
            if (ch[p].n > 1) {
                if (read_result(&ch[p], &got[p], &per[p]) < 0)
                    goto out;
                sum += per[p];
                parts++;
            }
        }
        printf("{\"impl\": \"%s\", \"test\": \"mem\", \"transport\": \"%s\", "
               "\"clients\": %d, \"size\": 0, \"server_bytes_per_conn\": %.1f, "
               "\"client_bytes_per_conn\": %.1f, \"server_rss_kib\": %ld}\n",
               LIBNAME, transport, nclients, (double) (rss1 - rss0) / nclients,
               parts ? (double) sum / parts : 0.0, rss1 / 1024);
    }
    rc = 0;
out:
    fflush(stdout);
    for (int p = 0; p < NPROC; p++)
        put_tok(ch[p].wfd, rc == 0 ? 'Q' : 'E');
    if (reap(ch))
        rc = 1;
    if (rep >= 0)
        nn_close(rep);
    if (srv_up)
        pthread_join(srv, NULL);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: manybench ipc|tcp CLIENTS [SECONDS [turn|load|idle]]\n");
        return 1;
    }
    const char *transport = argv[1];
    int nclients = atoi(argv[2]);
    double seconds = argc > 3 ? atof(argv[3]) : 0.5;
    const char *mode = argc > 4 ? argv[4] : "turn";
    char addr[128];
    if (strcmp(transport, "ipc") == 0)
        snprintf(addr, sizeof(addr), "ipc:///tmp/manybench-%d.ipc", (int) getpid());
    else if (strcmp(transport, "tcp") == 0 || strcmp(transport, "ws") == 0)
        snprintf(addr, sizeof(addr), "%s://127.0.0.1:%d", transport, free_port());
    else
        return 1;
    if (nclients <= 0 || seconds <= 0 || seconds > 60)
        return 1;
    alarm(120);
    int rc;
    if (strcmp(mode, "turn") == 0)
        rc = turn_main(transport, addr, nclients, seconds);
    else if (strcmp(mode, "load") == 0 || strcmp(mode, "idle") == 0)
        rc = children_main(mode, transport, addr, nclients, seconds);
    else
        rc = 1;
    if (strcmp(transport, "ipc") == 0)
        unlink(addr + strlen("ipc://"));
    return rc;
}
