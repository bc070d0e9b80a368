/* Who reads a stream connection (transports/streamconn.c, its table of
   receive states) in the turns no other test takes: the inbound queue
   fills at every message (NN_RCVBUF 1), so reading pauses with most of
   each read kept for later, and then the peer hangs up or our socket
   closes while reading is paused, claimed by a blocked receiver, or owed
   a read. Over tcp and ipc; checked under ASan (nothing kept leaks) and
   with the debug build's check of every state change. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#include "check.h"
#include "netutil.h"

#define MSGS 200
#define MSGLEN 100

static void set_int(int s, int opt, int v)
{
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, opt, &v, sizeof(v)) == 0);
}

/* Message k: its number, then bytes that depend on it. */
static void fill(char *buf, int k)
{
    snprintf(buf, MSGLEN, "%05d", k);
    for (int i = 6; i < MSGLEN; i++)
        buf[i] = (char) ('a' + (k + i) % 26);
}

static int recv_msg(int s, int k)
{
    char want[MSGLEN];
    char buf[MSGLEN + 16];
    int n = nn_recv(s, buf, sizeof(buf), 0);

    fill(want, k);
    return n == MSGLEN && memcmp(buf, want, MSGLEN) == 0;
}

static int64_t conns(int s)
{
    return (int64_t) nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS);
}

static int wait_conns(int s, int64_t want, int ms)
{
    for (int t = 0; t < ms; t += 5) {
        if (conns(s) == want)
            return 1;
        sleep_ms(5);
    }
    return conns(s) == want;
}

/* A PULL whose queue holds one message, and a PUSH connected to it. */
static void pair_up(const char *addr, int *pull, int *push)
{
    *pull = timed_socket(NN_PULL);
    *push = timed_socket(NN_PUSH);
    set_int(*pull, NN_RCVBUF, 1);
    CHECK(nn_bind(*pull, addr) >= 0);
    CHECK(nn_connect(*push, addr) >= 0);
    CHECK(wait_conns(*pull, 1, 3000));
}

static void send_all(int push)
{
    char buf[MSGLEN];

    for (int k = 0; k < MSGS; k++) {
        fill(buf, k);
        CHECK(nn_send(push, buf, MSGLEN, 0) == MSGLEN);
    }
}

/* The peer sends and hangs up while our reading is paused: every message
   still arrives, in order, and then the connection goes. */
static void eof_while_paused(const char *addr)
{
    int pull, push;
    int ok = 1;
    char buf[8];

    pair_up(addr, &pull, &push);
    send_all(push);
    sleep_ms(200);   /* in our kernel buffer, our queue full */
    CHECK(nn_close(push) == 0);
    sleep_ms(100);   /* the hang-up seen while paused */
    for (int k = 0; k < MSGS && ok; k++)
        ok = recv_msg(pull, k);
    CHECK(ok);
    CHECK(wait_conns(pull, 0, 3000));
    set_int(pull, NN_RCVTIMEO, 50);
    CHECK(nn_recv(pull, buf, sizeof(buf), 0) < 0 && nn_errno() == ETIMEDOUT);
    CHECK(nn_close(pull) == 0);
}

struct rx {
    int s;
    int ok;
};

static void *rx_main(void *arg)
{
    struct rx *r = arg;

    r->ok = 1;
    for (int k = 0; k < MSGS && r->ok; k++)
        r->ok = recv_msg(r->s, k);
    return NULL;
}

/* A receiver blocked first (it claims the connection), then the peer
   sends everything and hangs up at once: reading pauses while claimed,
   is owed after each resume, and ends with bytes still kept. */
static void eof_while_claimed(const char *addr)
{
    int pull, push;
    pthread_t t;
    struct rx r;

    pair_up(addr, &pull, &push);
    CHECK(nn_send(push, "warm", 4, 0) == 4);   /* lately readable */
    {
        char buf[8];
        CHECK(nn_recv(pull, buf, sizeof(buf), 0) == 4);
    }
    r.s = pull;
    CHECK(pthread_create(&t, NULL, rx_main, &r) == 0);
    sleep_ms(50);
    send_all(push);
    sleep_ms(200);   /* all of it in the kernel before the peer goes */
    CHECK(nn_close(push) == 0);
    pthread_join(t, NULL);
    CHECK(r.ok);
    CHECK(wait_conns(pull, 0, 3000));
    CHECK(nn_close(pull) == 0);
}

/* Our socket closes while reading is paused with bytes kept, and while a
   resumed connection still owes its kept bytes a read: nothing hangs or
   leaks (ASan). */
static void close_while_paused(const char *addr)
{
    int pull, push;

    pair_up(addr, &pull, &push);
    send_all(push);
    sleep_ms(100);
    CHECK(nn_close(pull) == 0);
    CHECK(nn_close(push) == 0);

    pair_up(addr, &pull, &push);
    send_all(push);
    sleep_ms(100);
    CHECK(recv_msg(pull, 0));   /* resumed: owed or kicked */
    CHECK(recv_msg(pull, 1));
    CHECK(nn_close(pull) == 0);
    CHECK(nn_close(push) == 0);
}

static void run(const char *addr)
{
    fprintf(stderr, "-- %s\n", addr);
    eof_while_paused(addr);
    eof_while_claimed(addr);
    close_while_paused(addr);
}

int main(void)
{
    char addr[64];

    snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", free_port());
    run(addr);
    snprintf(addr, sizeof(addr), "ipc:///tmp/nn-test-owner-%d.ipc",
             (int) getpid());
    run(addr);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_sconn_owner: ok\n");
    return 0;
}
