/* inproc names are found through a hash map: 100,000 binds must not cost
   the square of their number (the list-walking registry took 150 s), and
   every name still reaches its own binder. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#include "check.h"

#define NAMES 100000
/* The linear registry needed minutes for NAMES binds; a hash map needs
   well under a second, even under ASan. The bound is loose so that a loaded
   machine cannot fail it, yet far below the quadratic cost. */
#define BUDGET_S 20.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void name_of(char *buf, size_t len, int i)
{
    snprintf(buf, len, "inproc://names-%d", i);
}

/* A message sent on `from` arrives whole on `to`. */
static void check_link(int from, int to, const char *text)
{
    int tmo = 2000;
    char buf[64];
    CHECK(nn_setsockopt(to, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo) == 0);
    CHECK(nn_send(from, text, strlen(text), 0) == (int) strlen(text));
    int n = nn_recv(to, buf, sizeof buf, 0);
    CHECK(n == (int) strlen(text) && memcmp(buf, text, strlen(text)) == 0);
}

static void many_binds(void)
{
    char addr[64];
    int s = nn_socket(AF_SP, NN_PAIR);
    CHECK(s >= 0);
    /* A connector that arrives before its name is bound is linked when
       the bind comes, wherever the name sits in the map. */
    int early = nn_socket(AF_SP, NN_PAIR);
    name_of(addr, sizeof addr, NAMES / 2);
    CHECK(nn_connect(early, addr) >= 0);

    double t0 = now();
    int eid_mid = -1;
    for (int i = 0; i < NAMES; i++) {
        name_of(addr, sizeof addr, i);
        int eid = nn_bind(s, addr);
        if (eid < 0) {
            CHECK(eid >= 0);
            break;
        }
        if (i == NAMES / 2)
            eid_mid = eid;
    }
    double took = now() - t0;
    printf("%d inproc binds: %.3f s\n", NAMES, took);
    CHECK(took < BUDGET_S);

    check_link(early, s, "early");

    /* Every name is taken; a second binder gets EADDRINUSE. */
    int other = nn_socket(AF_SP, NN_PAIR);
    name_of(addr, sizeof addr, NAMES - 1);
    CHECK(nn_bind(other, addr) < 0 && nn_errno() == EADDRINUSE);
    name_of(addr, sizeof addr, 0);
    CHECK(nn_bind(other, addr) < 0 && nn_errno() == EADDRINUSE);

    /* Shutting one binder down frees its name for another socket, and the
       connector waiting on it moves over. */
    CHECK(nn_shutdown(s, eid_mid) == 0);
    name_of(addr, sizeof addr, NAMES / 2);
    CHECK(nn_bind(other, addr) >= 0);
    check_link(early, other, "moved");

    /* Closing the socket that holds 100,000 names releases them all. */
    t0 = now();
    CHECK(nn_close(s) == 0);
    printf("close with %d names: %.3f s\n", NAMES, now() - t0);
    name_of(addr, sizeof addr, NAMES - 1);
    int again = nn_socket(AF_SP, NN_PAIR);
    CHECK(nn_bind(again, addr) >= 0);
    CHECK(nn_close(again) == 0);
    CHECK(nn_close(other) == 0);
    CHECK(nn_close(early) == 0);
}

/* Names that differ only late, or are prefixes of one another, stay apart. */
static void similar_names(void)
{
    static const char *addrs[] = {
        "inproc://a", "inproc://ab", "inproc://a\xc3\xa9", "inproc://",
        "inproc://b", "inproc://aa",
    };
    enum { N = sizeof addrs / sizeof addrs[0] };
    int b[N], c[N];
    for (int i = 0; i < N; i++) {
        b[i] = nn_socket(AF_SP, NN_PAIR);
        c[i] = nn_socket(AF_SP, NN_PAIR);
        CHECK(nn_bind(b[i], addrs[i]) >= 0);
    }
    for (int i = 0; i < N; i++)
        CHECK(nn_connect(c[i], addrs[i]) >= 0);
    for (int i = 0; i < N; i++)
        check_link(c[i], b[i], addrs[i]);
    for (int i = 0; i < N; i++) {
        CHECK(nn_close(b[i]) == 0);
        CHECK(nn_close(c[i]) == 0);
    }
}

int main(void)
{
    similar_names();
    many_binds();
    return failures ? 1 : 0;
}
