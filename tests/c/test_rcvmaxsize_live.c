/* NN_RCVMAXSIZE changed on a live connection applies to the next message,
   on every stream transport (libnanomsg reads it for each message). ws once
   read it only when a connection was set up. */
#include <pthread.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#include "netutil.h"

enum { TCP, IPC, WS };
static const char *const names[] = {"tcp", "ipc", "ws"};
static int seq;

static void mkaddr(char *buf, size_t len, int tr)
{
    if (tr == IPC) {
        snprintf(buf, len, "ipc:///tmp/nnmax-%d-%d.ipc", (int) getpid(), ++seq);
        unlink(buf + 6);
    } else {
        snprintf(buf, len, "%s://127.0.0.1:%d", names[tr], free_port());
    }
}

static void setint(int s, int opt, int v)
{
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, opt, &v, sizeof v) == 0);
}

/* `from` sends `len` bytes; did `to` get exactly them within `ms`? */
static int passes(int from, int to, size_t len, int ms)
{
    static char out[4096], in[4096];
    for (size_t i = 0; i < len; i++)
        out[i] = (char) (i * 7 + len);
    setint(to, NN_RCVTIMEO, ms);
    CHECK(nn_send(from, out, len, 0) == (int) len);
    int n = nn_recv(to, in, sizeof in, 0);
    return n == (int) len && memcmp(in, out, len) == 0;
}

static void lowered(int tr)
{
    char addr[128];
    int f0 = failures;
    int a = timed_socket(NN_PAIR), b = timed_socket(NN_PAIR);
    mkaddr(addr, sizeof addr, tr);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(stat_reaches(a, NN_STAT_ACCEPTED_CONNECTIONS, 1, 3000));
    CHECK(passes(b, a, 200, 3000));

    setint(a, NN_RCVMAXSIZE, 100);
    /* Over the new limit: dropped with its connection. */
    CHECK(!passes(b, a, 200, 500));
    CHECK(nn_errno() == ETIMEDOUT);
    CHECK(stat_reaches(a, NN_STAT_BROKEN_CONNECTIONS, 1, 3000));
    /* The peer reconnects; under the limit still passes. */
    CHECK(stat_reaches(a, NN_STAT_ACCEPTED_CONNECTIONS, 2, 3000));
    CHECK(passes(b, a, 100, 3000));
    if (failures > f0)
        fprintf(stderr, "lowered limit failed on %s\n", names[tr]);
    nn_close(a);
    nn_close(b);
}

static void raised(int tr)
{
    char addr[128];
    int f0 = failures;
    int a = timed_socket(NN_PAIR), b = timed_socket(NN_PAIR);
    mkaddr(addr, sizeof addr, tr);
    setint(a, NN_RCVMAXSIZE, 100);
    CHECK(nn_bind(a, addr) >= 0);
    CHECK(nn_connect(b, addr) >= 0);
    CHECK(stat_reaches(a, NN_STAT_ACCEPTED_CONNECTIONS, 1, 3000));
    CHECK(passes(b, a, 100, 3000));

    setint(a, NN_RCVMAXSIZE, 1000);
    CHECK(passes(b, a, 1000, 3000));
    setint(a, NN_RCVMAXSIZE, -1);
    CHECK(passes(b, a, 4000, 3000));
    CHECK(nn_get_statistic(a, NN_STAT_BROKEN_CONNECTIONS) == 0);
    if (failures > f0)
        fprintf(stderr, "raised limit failed on %s\n", names[tr]);
    nn_close(a);
    nn_close(b);
}

int main(void)
{
    for (int tr = TCP; tr <= WS; tr++) {
        lowered(tr);
        raised(tr);
    }
    return failures ? 1 : 0;
}
