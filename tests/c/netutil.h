/* Helpers shared by the C tests that use real network transports. */
#ifndef NN_TEST_NETUTIL_H
#define NN_TEST_NETUTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>

#include "check.h"

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A port nobody listens on right now (bound and released by the kernel).
   The kernel may hand the same port out again at once, so a test that
   asks for two ports before binding either would get one port twice:
   the ports this process was given recently are not returned again. */
static inline int free_port(void)
{
    static int given[32];
    static unsigned ngiven;
    int port = 0;

    for (int tries = 0; tries < 64; tries++) {
        struct sockaddr_in sa;
        socklen_t len = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int seen = 0;

        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
            perror("free_port");
            exit(2);
        }
        port = ntohs(sa.sin_port);
        close(fd);
        for (unsigned i = 0; i < ngiven && i < 32; i++)
            seen |= given[i] == port;
        if (!seen)
            break;
    }
    given[ngiven++ % 32] = port;
    return port;
}

/* Did statistic `st` of socket `s` reach `v` within `ms`? */
static inline int stat_reaches(int s, int st, uint64_t v, int ms)
{
    for (; ms > 0; ms -= 10) {
        if (nn_get_statistic(s, st) >= v)
            return 1;
        sleep_ms(10);
    }
    return nn_get_statistic(s, st) >= v;
}

/* A socket whose send and recv give up after 3 s, so no test hangs. */
static inline int timed_socket(int proto)
{
    int s = nn_socket(AF_SP, proto);
    int tmo = 3000;

    CHECK(s >= 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo)) == 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &tmo, sizeof(tmo)) == 0);
    return s;
}

#endif
