/* PAIR: one peer at most; messages pass unchanged both ways (a header the
   application supplied through SP_HDR goes on the wire in front). Cooked
   and raw behave the same. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/pair.h"
#include "../core/proto.h"

struct pair {
    struct nn_pipe *pipe;
    int readable, writable;
};

static int pair_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct pair *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    *state = p;
    return 0;
}

static void pair_destroy(void *state)
{
    free(state);
}

static int pair_add(void *state, struct nn_pipe *pipe)
{
    struct pair *p = state;
    if (p->pipe)
        return -1;
    p->pipe = pipe;
    p->readable = p->writable = 0;
    return 0;
}

static void pair_rm(void *state, struct nn_pipe *pipe)
{
    struct pair *p = state;
    if (p->pipe == pipe) {
        p->pipe = NULL;
        p->readable = p->writable = 0;
    }
}

static void pair_in(void *state, struct nn_pipe *pipe)
{
    struct pair *p = state;
    if (p->pipe == pipe)
        p->readable = 1;
}

static void pair_out(void *state, struct nn_pipe *pipe)
{
    struct pair *p = state;
    if (p->pipe == pipe)
        p->writable = 1;
}

static int pair_send(void *state, struct nn_msg *m)
{
    struct pair *p = state;
    if (!p->writable)
        return -EAGAIN;
    if (nn_pipe_send(p->pipe, m) & NN_PIPE_RELEASE)
        p->writable = 0;
    return 0;
}

static int pair_recv(void *state, struct nn_msg *m)
{
    struct pair *p = state;
    while (p->readable) {
        int rc = nn_pipe_recv(p->pipe, m);
        if (rc < 0) {
            p->readable = 0;
            break;
        }
        if (rc & NN_PIPE_RELEASE)
            p->readable = 0;
        /* No PAIR header: the whole payload is body. */
        if (nn_msg_split(m, 0) == 0)
            return 0;
        nn_msg_term(m);
    }
    return -EAGAIN;
}

static int pair_events(void *state)
{
    struct pair *p = state;
    return (p->readable ? NN_EV_IN : 0) | (p->writable ? NN_EV_OUT : 0);
}

#define PAIR_PROTO(raw_) {                                                 \
    .type = NN_PAIR, .peer = NN_PAIR, .raw = (raw_),                       \
    .name = "pair.sp.nanomsg.org",                                         \
    .create = pair_create, .destroy = pair_destroy,                        \
    .add = pair_add, .rm = pair_rm, .in = pair_in, .out = pair_out,        \
    .send = pair_send, .recv = pair_recv, .events = pair_events,           \
}

const struct nn_proto nn_pair_proto = PAIR_PROTO(0);
const struct nn_proto nn_xpair_proto = PAIR_PROTO(1);
