/* A peer that sends and closes at once: every message it sent and we
   already read stays receivable (tcp, ipc, ws), as TRANSPORTS.md §7 has
   it for bytes the kernel accepted. */
#include <stdio.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#include "netutil.h"

static void run(const char *addr)
{
    enum { N = 50 };
    int pull = timed_socket(NN_PULL), push = timed_socket(NN_PUSH);
    CHECK(nn_bind(pull, addr) > 0);
    CHECK(nn_connect(push, addr) > 0);
    for (int i = 0; i < N; i++)
        CHECK(nn_send(push, "hello", 5, 0) == 5);
    /* Let everything reach us, then the peer goes before we receive. */
    sleep_ms(200);
    CHECK(nn_close(push) == 0);
    sleep_ms(200);
    int got = 0;
    char buf[8];
    while (got < N && nn_recv(pull, buf, sizeof(buf), 0) == 5)
        got++;
    if (got != N)
        fprintf(stderr, "%s: received %d of %d\n", addr, got, N);
    CHECK(got == N);
    CHECK(nn_close(pull) == 0);
}

int main(void)
{
    char addr[64];
    snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    run(addr);
    snprintf(addr, sizeof(addr), "ws://127.0.0.1:%d", free_port());
    run(addr);
    snprintf(addr, sizeof(addr), "ipc:///tmp/nn-peer-close-%d.ipc", (int) getpid());
    run(addr);
    if (failures)
        return 1;
    printf("test_peer_close: ok\n");
    return 0;
}
