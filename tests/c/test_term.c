/* nn_term: closes every socket, wakes blocked calls with EBADF, and makes
   nn_socket fail with ETERM for the rest of the process. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>

#include "check.h"

struct blocked {
    int s, rc, err;
};

static void *do_recv(void *arg)
{
    struct blocked *b = arg;
    char buf[8];
    b->rc = nn_recv(b->s, buf, sizeof(buf), 0);
    b->err = nn_errno();
    return NULL;
}

int main(void)
{
    nn_term();   /* never used yet: a no-op */
    struct blocked b = { .s = nn_socket(AF_SP, NN_PAIR) };
    CHECK(b.s >= 0);
    int other = nn_socket(AF_SP, NN_REP);
    CHECK(nn_bind(other, "inproc://term") > 0);
    pthread_t t;
    pthread_create(&t, NULL, do_recv, &b);
    usleep(100 * 1000);
    nn_term();
    pthread_join(t, NULL);
    CHECK(b.rc == -1 && b.err == EBADF);
    char buf[4];
    CHECK(nn_recv(other, buf, sizeof(buf), NN_DONTWAIT) == -1 && nn_errno() == EBADF);
    CHECK(nn_close(other) == -1 && nn_errno() == EBADF);
    CHECK(nn_socket(AF_SP, NN_PAIR) == -1 && nn_errno() == ETERM);
    CHECK(nn_socket(AF_SP, NN_PAIR) == -1 && nn_errno() == ETERM);
    nn_term();   /* again: harmless */
    if (failures)
        return 1;
    printf("test_term: ok\n");
    return 0;
}
