/* A peer that sends and closes at once: every message it sent and we
   already read stays receivable (tcp, ipc, ws), as TRANSPORTS.md §7 has
   it for bytes the kernel accepted. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#include "check.h"

static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *) &sa, &len) != 0)
        return -1;
    close(fd);
    return ntohs(sa.sin_port);
}

static void run(const char *addr)
{
    enum { N = 50 };
    int pull = nn_socket(AF_SP, NN_PULL), push = nn_socket(AF_SP, NN_PUSH);
    int timeo = 2000;
    CHECK(nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVTIMEO, &timeo, sizeof(timeo)) == 0);
    CHECK(nn_setsockopt(push, NN_SOL_SOCKET, NN_SNDTIMEO, &timeo, sizeof(timeo)) == 0);
    CHECK(nn_bind(pull, addr) > 0);
    CHECK(nn_connect(push, addr) > 0);
    for (int i = 0; i < N; i++)
        CHECK(nn_send(push, "hello", 5, 0) == 5);
    /* Let everything reach us, then the peer goes before we receive. */
    usleep(200 * 1000);
    CHECK(nn_close(push) == 0);
    usleep(200 * 1000);
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
