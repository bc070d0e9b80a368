/*
 * manybench: a REP server with many connected REQ clients, through nn.h.
 *
 *   manybench TRANSPORT CLIENTS [SECONDS]
 *
 *   TRANSPORT  ipc | tcp
 *   CLIENTS    REQ sockets, each with its own connection to the one REP
 *   SECONDS    timed region (default 0.5)
 *
 * The server is a thread echoing on a REP socket; the main thread connects
 * CLIENTS REQ sockets, makes each do one round trip (so every connection
 * is up and has been used), then sends a 64-byte request on each client in
 * turn and waits for its reply until SECONDS pass. Both ends share one
 * process, so the I/O thread watches 2 x CLIENTS connections: what is
 * measured is how a wake-up costs with that many descriptors registered.
 * Output: one JSON object (round trip median and p99, round trips/s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: manybench ipc|tcp CLIENTS [SECONDS]\n");
        return 1;
    }
    const char *transport = argv[1];
    int nclients = atoi(argv[2]);
    double seconds = argc > 3 ? atof(argv[3]) : 0.5;
    char addr[128];
    if (strcmp(transport, "ipc") == 0)
        snprintf(addr, sizeof(addr), "ipc:///tmp/manybench-%d.ipc", (int) getpid());
    else if (strcmp(transport, "tcp") == 0)
        snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    else
        return 1;
    if (nclients <= 0)
        return 1;
    alarm(120);

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
