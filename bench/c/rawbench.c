/*
 * rawbench: the floor under nnbench -- the same exchanges over plain stream
 * sockets between two processes, with no messaging library.
 *
 *   rawbench lat|thr ipc|tcp SIZE [SECONDS]
 *
 * Messages carry an 8-byte big-endian length prefix, as SP stream framing
 * does, so the byte counts match what nanomsg puts on the wire (less the
 * connection header).  lat: ping-pong, TCP_NODELAY on both ends.  thr: one
 * writev (prefix + body) per message, Nagle left on as libnanomsg's default;
 * the reader parses frames out of large reads.  ipc means a unix-domain
 * stream socket.  Output: one JSON object, like nnbench.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 200000
#define RBUF (256 * 1024)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char) (v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

static int write_msg(int fd, const char *body, size_t size)
{
    unsigned char hdr[8];
    put_be64(hdr, size);
    struct iovec iov[2] = { { hdr, 8 }, { (void *) body, size } };
    size_t left = 8 + size;
    int cnt = 2;
    struct iovec *v = iov;
    while (left > 0) {
        ssize_t w = writev(fd, v, cnt);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        left -= (size_t) w;
        while (cnt > 0 && (size_t) w >= v->iov_len) {
            w -= (ssize_t) v->iov_len;
            v++;
            cnt--;
        }
        if (cnt > 0) {
            v->iov_base = (char *) v->iov_base + w;
            v->iov_len -= (size_t) w;
        }
    }
    return 0;
}

/* One framed message into buf (capacity cap); returns its size or -1. */
static long read_msg(int fd, char *buf, size_t cap)
{
    unsigned char hdr[8];
    if (read_full(fd, hdr, 8) < 0)
        return -1;
    uint64_t n = get_be64(hdr);
    if (n > cap || read_full(fd, buf, (size_t) n) < 0)
        return -1;
    return (long) n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Child: echo every framed message back until the connection ends. */
static int echo_server(int fd, size_t size)
{
    char *buf = malloc(size);
    if (!buf)
        return 1;
    long n;
    while ((n = read_msg(fd, buf, size)) >= 0)
        if (write_msg(fd, buf, (size_t) n) < 0)
            break;
    free(buf);
    return 0;
}

/* Child: stream messages until the reader goes away. */
static int stream_writer(int fd, size_t size, double seconds)
{
    char *buf = malloc(size);
    if (!buf)
        return 1;
    memset(buf, 2, size);
    uint64_t end = now_ns() + (uint64_t) ((seconds + 20) * 1e9);
    for (long i = 0;; i++) {
        if (write_msg(fd, buf, size) < 0)
            break;
        if ((i & 255) == 0 && now_ns() > end)
            break;
    }
    free(buf);
    return 0;
}

static int lat_main(int fd, const char *tr, size_t size, double seconds)
{
    char *buf = malloc(size);
    uint64_t *s = malloc(MAX_SAMPLES * sizeof *s);
    if (!buf || !s)
        return 1;
    memset(buf, 1, size);
    for (int i = 0; i < 200; i++)
        if (write_msg(fd, buf, size) < 0 || read_msg(fd, buf, size) < 0)
            return 1;
    uint64_t deadline = now_ns() + (uint64_t) (seconds * 1e9);
    size_t k = 0;
    while (k < MAX_SAMPLES) {
        uint64_t t0 = now_ns();
        if (write_msg(fd, buf, size) < 0 || read_msg(fd, buf, size) < 0)
            return 1;
        uint64_t t1 = now_ns();
        s[k++] = t1 - t0;
        if (t1 > deadline)
            break;
    }
    qsort(s, k, sizeof *s, cmp_u64);
    size_t p99 = k * 99 / 100;
    printf("{\"impl\": \"raw\", \"test\": \"lat\", \"transport\": \"%s\", "
           "\"size\": %zu, \"n\": %zu, \"median_us\": %.3f, \"p99_us\": %.3f, "
           "\"min_us\": %.3f}\n", tr, size, k, s[k / 2] / 1e3,
           s[p99 < k ? p99 : k - 1] / 1e3, s[0] / 1e3);
    free(buf);
    free(s);
    return 0;
}

/* Counts whole frames in large reads; frames may straddle reads. */
static int thr_main(int fd, const char *tr, size_t size, double seconds)
{
    char *buf = malloc(RBUF);
    if (!buf)
        return 1;
    uint64_t need = 8;       /* bytes until the current part ends */
    int in_hdr = 1;
    unsigned char hdr[8];
    unsigned hlen = 0;
    long got = 0, warm = size >= 65536 ? 50 : 2000;
    uint64_t t0 = 0, t1 = 0, deadline = 0;
    for (;;) {
        ssize_t r = read(fd, buf, RBUF);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 1;
        size_t off = 0;
        while (off < (size_t) r) {
            size_t take = (size_t) r - off;
            if (take > need)
                take = (size_t) need;
            if (in_hdr)
                memcpy(hdr + hlen, buf + off, take), hlen += (unsigned) take;
            off += take;
            need -= take;
            if (need > 0)
                continue;
            if (in_hdr) {
                need = get_be64(hdr);
                hlen = 0;
                in_hdr = 0;
                if (need > 0)
                    continue;
            }
            in_hdr = 1;
            need = 8;
            got++;
            if (got == warm) {
                t0 = now_ns();
                deadline = t0 + (uint64_t) (seconds * 1e9);
            }
        }
        if (got > warm) {
            t1 = now_ns();
            if (t1 > deadline)
                break;
        }
    }
    long n = got - warm;
    double sec = (double) (t1 - t0) / 1e9;
    printf("{\"impl\": \"raw\", \"test\": \"thr\", \"transport\": \"%s\", "
           "\"size\": %zu, \"n\": %ld, \"msgs_s\": %.1f, \"mb_s\": %.2f}\n",
           tr, size, n, n / sec, n * (double) size / sec / 1e6);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: rawbench lat|thr ipc|tcp SIZE [SECONDS]\n");
        return 1;
    }
    const char *test = argv[1], *tr = argv[2];
    size_t size = (size_t) strtoull(argv[3], NULL, 10);
    double seconds = argc > 4 ? atof(argv[4]) : 0.25;
    int lat = strcmp(test, "lat") == 0, tcp = strcmp(tr, "tcp") == 0;
    if (size == 0 || size > (1u << 30) || seconds <= 0 || seconds > 60 ||
        (!lat && strcmp(test, "thr") != 0) || (!tcp && strcmp(tr, "ipc") != 0)) {
        fprintf(stderr, "rawbench: bad arguments\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned) seconds + 40);

    /* Listen before forking, so the child can connect at once. */
    int ls;
    struct sockaddr_storage ss;
    socklen_t sl;
    char path[108] = "";
    if (tcp) {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ls = socket(AF_INET, SOCK_STREAM, 0);
        sl = sizeof sa;
        if (ls < 0 || bind(ls, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            getsockname(ls, (struct sockaddr *) &sa, &sl) < 0)
            return 1;
        memcpy(&ss, &sa, sizeof sa);
    } else {
        struct sockaddr_un su;
        memset(&su, 0, sizeof su);
        su.sun_family = AF_UNIX;
        snprintf(path, sizeof path, "/tmp/rawbench-%d.sock", (int) getpid());
        memcpy(su.sun_path, path, strlen(path) + 1);
        ls = socket(AF_UNIX, SOCK_STREAM, 0);
        sl = sizeof su;
        if (ls < 0 || bind(ls, (struct sockaddr *) &su, sizeof su) < 0)
            return 1;
        memcpy(&ss, &su, sizeof su);
    }
    if (listen(ls, 1) < 0)
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(ls);
        int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &ss, sl) < 0)
            _exit(1);
        if (tcp && lat)
            nodelay(fd);
        int rc = lat ? echo_server(fd, size) : stream_writer(fd, size, seconds);
        close(fd);
        _exit(rc);
    }
    int fd = accept(ls, NULL, NULL);
    close(ls);
    if (path[0])
        unlink(path);
    if (fd < 0)
        return 1;
    if (tcp && lat)
        nodelay(fd);
    int rc = lat ? lat_main(fd, tr, size, seconds) : thr_main(fd, tr, size, seconds);
    close(fd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return rc;
}
