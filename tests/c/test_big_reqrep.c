/* Round trips of large messages (larger than NN_SNDBUF, so every send is
   finished by the I/O thread) over tcp, ipc and ws, with the replier in a
   child process of its own. A replier drops a reply whose pipe is not
   writable; the pipe must be writable again before the requester can have
   the previous reply, or a fast requester's next request gets no answer.
   Also checks the payload both ways. */
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#include "check.h"
#include "netutil.h"

#define SIZE (1024 * 1024)
#define ROUNDS 400

/* The child: echo ROUNDS requests, the first byte marking the round.
   Exit status 0 when all went through. */
static int rep_main(const char *addr)
{
    int s = timed_socket(NN_REP);
    int unlimited = -1;
    int patient = 30000;   /* its turn may come after the other runs */

    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &unlimited,
                        sizeof(unlimited)) == 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &patient,
                        sizeof(patient)) == 0);
    CHECK(nn_bind(s, addr) >= 0);
    for (int i = 0; i < ROUNDS; i++) {
        void *m = NULL;
        if (nn_recv(s, &m, NN_MSG, 0) != SIZE)
            return 1;
        ((unsigned char *) m)[0] = (unsigned char) i;
        if (nn_send(s, &m, NN_MSG, 0) != SIZE) {
            nn_freemsg(m);
            return 1;
        }
    }
    /* Until the requester has the last reply (nn_close drops queued
       output, as libnanomsg does). */
    sleep_ms(300);
    nn_close(s);
    return failures != 0;
}

static void run(const char *addr, pid_t child)
{
    int req;
    int unlimited = -1;
    unsigned char *buf = malloc(SIZE);
    int done = 0;
    int status = -1;

    fprintf(stderr, "-- %s\n", addr);
    req = timed_socket(NN_REQ);
    CHECK(buf != NULL);
    for (size_t i = 0; i < SIZE; i++)
        buf[i] = (unsigned char) (i * 7 + 3);
    CHECK(nn_setsockopt(req, NN_SOL_SOCKET, NN_RCVMAXSIZE, &unlimited,
                        sizeof(unlimited)) == 0);
    CHECK(nn_connect(req, addr) >= 0);
    for (int i = 0; i < ROUNDS; i++) {
        void *m = NULL;
        int n;
        if (nn_send(req, buf, SIZE, 0) != SIZE)
            break;
        n = nn_recv(req, &m, NN_MSG, 0);
        if (n != SIZE)
            break;
        /* The whole payload now and then: comparing takes long enough to
           hide the race this test is about. */
        if (((unsigned char *) m)[0] != (unsigned char) i ||
            (i % 16 == 0 &&
             memcmp((unsigned char *) m + 1, buf + 1, SIZE - 1) != 0)) {
            nn_freemsg(m);
            break;
        }
        nn_freemsg(m);
        done++;
    }
    CHECK(done == ROUNDS);
    if (done != ROUNDS)
        fprintf(stderr, "   %d of %d round trips\n", done, ROUNDS);
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    nn_close(req);
    free(buf);
}

int main(void)
{
    char addr[3][64];
    pid_t child[3];

    snprintf(addr[0], sizeof(addr[0]), "tcp://127.0.0.1:%d", free_port());
    snprintf(addr[1], sizeof(addr[1]), "ipc:///tmp/nn-test-bigrr-%d.ipc",
             (int) getpid());
    snprintf(addr[2], sizeof(addr[2]), "ws://127.0.0.1:%d", free_port());
    /* Every child before this process first uses the library: a child
       forked later would inherit its state without its I/O thread. */
    for (int i = 0; i < 3; i++) {
        child[i] = fork();
        if (child[i] == 0)
            _exit(rep_main(addr[i]));
        CHECK(child[i] > 0);
    }
    for (int i = 0; i < 3; i++)
        run(addr[i], child[i]);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_big_reqrep: ok\n");
    return 0;
}
