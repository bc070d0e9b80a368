/* PUB: every message to every subscriber that can take it right now. SUB
   peers never talk; anything they send is read and dropped. Cooked and raw
   behave the same. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/pubsub.h"
#include "dist.h"
#include "protoutil.h"

struct pub {
    struct nn_dist dist;
};

struct pub_pipe {
    struct nn_dist_item d;
};

static int pub_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct pub *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    nn_dist_init(&p->dist);
    *state = p;
    return 0;
}

static void pub_destroy(void *state)
{
    free(state);
}

static int pub_add(void *state, struct nn_pipe *pipe)
{
    struct pub *p = state;
    struct pub_pipe *pp = malloc(sizeof *pp);
    if (!pp)
        return -1;
    nn_dist_add(&p->dist, &pp->d, pipe);
    nn_pipe_setdata(pipe, pp);
    return 0;
}

static void pub_rm(void *state, struct nn_pipe *pipe)
{
    struct pub *p = state;
    struct pub_pipe *pp = nn_pipe_getdata(pipe);
    nn_dist_rm(&p->dist, &pp->d);
    free(pp);
}

static void pub_in(void *state, struct nn_pipe *pipe)
{
    (void) state;
    nn_proto_drain(pipe);
}

static void pub_out(void *state, struct nn_pipe *pipe)
{
    struct pub *p = state;
    struct pub_pipe *pp = nn_pipe_getdata(pipe);
    nn_dist_out(&p->dist, &pp->d);
}

static int pub_send(void *state, struct nn_msg *m)
{
    struct pub *p = state;
    nn_dist_send(&p->dist, m, 0);
    return 0;
}

static int pub_events(void *state)
{
    (void) state;
    return NN_EV_OUT;
}

#define PUB_PROTO(raw_) {                                                  \
    .type = NN_PUB, .peer = NN_SUB, .raw = (raw_),                         \
    .name = "pub.sp.nanomsg.org",                                          \
    .create = pub_create, .destroy = pub_destroy,                          \
    .add = pub_add, .rm = pub_rm, .in = pub_in, .out = pub_out,            \
    .send = pub_send, .events = pub_events,                                \
}

const struct nn_proto nn_pub_proto = PUB_PROTO(0);
const struct nn_proto nn_xpub_proto = PUB_PROTO(1);
