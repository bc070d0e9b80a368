/*
 * A C program on our vendored libnanomsg, talking to a Python nnpy socket.
 * Built and driven by test_interop_c.py.
 *
 *   c_peer TYPE ROLE bind|connect ADDR
 *     TYPE  pair | req | rep
 *     ROLE  echo  (pair, rep): receive 3 messages, report, send each back
 *           ping  (pair, req): send the 3 standard messages, report replies
 *
 * The standard messages are those of payloads.py: empty, 15 binary bytes
 * with NULs, and 1 MiB of the period-251 pattern.
 *
 * Output lines: "ready", then "msg LEN FNV1A64" per received message, then
 * "done"; a failed call prints "err CALL ERRNO TEXT" and exits 2. After
 * "done" the socket stays open until a line (or EOF) arrives on stdin, so
 * the last message is not lost by nn_close.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>

#define COUNT 3
#define BIG (1024 * 1024)

static const unsigned char binary[] = {
    0x00, 0x01, 'b', 'i', 'n', 0x00, 'a', 'r', 'y', 0xff, 0xfe, 0x00, 0x00, 0x80, 0x00};

static void fail(const char *call)
{
    int err = nn_errno();
    printf("err %s %d %s\n", call, err, nn_strerror(err));
    fflush(stdout);
    exit(2);
}

/* The i-th standard message; *len gets its size. Caller frees. */
static unsigned char *standard(int i, size_t *len)
{
    size_t n = i == 0 ? 0 : i == 1 ? sizeof(binary) : BIG;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        printf("err malloc 0 out of memory\n");
        exit(2);
    }
    if (i == 1)
        memcpy(buf, binary, n);
    for (size_t k = 0; i == 2 && k < n; k++)
        buf[k] = (unsigned char)(k % 251);
    *len = n;
    return buf;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < n; k++) {
        h ^= p[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void report(const void *msg, int n)
{
    printf("msg %d %016llx\n", n,
           (unsigned long long)fnv1a64((const unsigned char *)msg, (size_t)n));
    fflush(stdout);
}

static void echo(int s)
{
    for (int i = 0; i < COUNT; i++) {
        void *msg = NULL;
        int n = nn_recv(s, &msg, NN_MSG, 0);
        if (n < 0)
            fail("recv");
        report(msg, n);
        /* Zero-copy send: the library owns msg from here on. */
        if (nn_send(s, &msg, NN_MSG, 0) < 0)
            fail("send");
    }
}

static void ping(int s)
{
    for (int i = 0; i < COUNT; i++) {
        size_t len;
        unsigned char *buf = standard(i, &len);
        int rc = nn_send(s, buf, len, 0);
        free(buf);
        if (rc < 0)
            fail("send");
        void *msg = NULL;
        int n = nn_recv(s, &msg, NN_MSG, 0);
        if (n < 0)
            fail("recv");
        report(msg, n);
        nn_freemsg(msg);
    }
}

static int set_int(int s, int level, int option, int value)
{
    return nn_setsockopt(s, level, option, &value, sizeof(value));
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s pair|req|rep echo|ping bind|connect ADDR\n", argv[0]);
        return 1;
    }
    int type = !strcmp(argv[1], "pair") ? NN_PAIR : !strcmp(argv[1], "req") ? NN_REQ
             : !strcmp(argv[1], "rep") ? NN_REP : -1;
    int pinging = !strcmp(argv[2], "ping");
    if (type < 0 || (!pinging && strcmp(argv[2], "echo"))) {
        fprintf(stderr, "bad type or role\n");
        return 1;
    }
    int s = nn_socket(AF_SP, type);
    if (s < 0)
        fail("socket");
    if (set_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1) < 0 ||
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000) < 0 ||
        set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 5000) < 0)
        fail("setsockopt");
    int rc = !strcmp(argv[3], "bind") ? nn_bind(s, argv[4]) : nn_connect(s, argv[4]);
    if (rc < 0)
        fail(argv[3]);
    printf("ready\n");
    fflush(stdout);
    if (pinging)
        ping(s);
    else
        echo(s);
    printf("done\n");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        line[0] = 0;
    if (nn_close(s) < 0)
        fail("close");
    return 0;
}
