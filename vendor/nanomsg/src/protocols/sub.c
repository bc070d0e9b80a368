/* SUB: fair-queued receive, filtered at recv time by the subscription set.
   Raw SUB filters too and has the same options. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/pubsub.h"
#include "fq.h"
#include "subset.h"

struct sub {
    struct nn_fq fq;
    struct nn_subset subs;
};

struct sub_pipe {
    struct nn_fq_item f;
};

static int sub_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct sub *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    nn_fq_init(&p->fq);
    nn_subset_init(&p->subs);
    *state = p;
    return 0;
}

static void sub_destroy(void *state)
{
    struct sub *p = state;
    nn_subset_term(&p->subs);
    free(p);
}

static int sub_add(void *state, struct nn_pipe *pipe)
{
    struct sub *p = state;
    struct sub_pipe *pp = malloc(sizeof *pp);
    if (!pp)
        return -1;
    nn_fq_add(&p->fq, &pp->f, pipe);
    nn_pipe_setdata(pipe, pp);
    return 0;
}

static void sub_rm(void *state, struct nn_pipe *pipe)
{
    struct sub *p = state;
    struct sub_pipe *pp = nn_pipe_getdata(pipe);
    nn_fq_rm(&p->fq, &pp->f);
    free(pp);
}

static void sub_in(void *state, struct nn_pipe *pipe)
{
    struct sub *p = state;
    struct sub_pipe *pp = nn_pipe_getdata(pipe);
    nn_fq_in(&p->fq, &pp->f);
}

static void sub_out(void *state, struct nn_pipe *pipe)
{
    /* SUB never sends. */
    (void) state;
    (void) pipe;
}

static int sub_recv(void *state, struct nn_msg *m)
{
    struct sub *p = state;
    for (;;) {
        int rc = nn_fq_recv(&p->fq, m, NULL);
        if (rc != 0)
            return rc;
        /* The topic is the start of the whole payload. */
        if (nn_msg_split(m, 0) == 0 &&
            nn_subset_match(&p->subs, m->body, nn_msg_bodylen(m)))
            return 0;
        nn_msg_term(m);
    }
}

static int sub_setopt(void *state, int option, const void *val, size_t len)
{
    struct sub *p = state;
    switch (option) {
    case NN_SUB_SUBSCRIBE:
        return nn_subset_add(&p->subs, val, len);
    case NN_SUB_UNSUBSCRIBE:
        return nn_subset_rm(&p->subs, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

static int sub_getopt(void *state, int option, void *val, size_t *len)
{
    /* Subscriptions cannot be read back. */
    (void) state;
    (void) option;
    (void) val;
    (void) len;
    return -ENOPROTOOPT;
}

static int sub_events(void *state)
{
    struct sub *p = state;
    return nn_fq_can_recv(&p->fq) ? NN_EV_IN : 0;
}

#define SUB_PROTO(raw_) {                                                  \
    .type = NN_SUB, .peer = NN_PUB, .raw = (raw_),                         \
    .name = "sub.sp.nanomsg.org",                                          \
    .create = sub_create, .destroy = sub_destroy,                          \
    .add = sub_add, .rm = sub_rm, .in = sub_in, .out = sub_out,            \
    .recv = sub_recv, .setopt = sub_setopt, .getopt = sub_getopt,          \
    .events = sub_events,                                                  \
}

const struct nn_proto nn_sub_proto = SUB_PROTO(0);
const struct nn_proto nn_xsub_proto = SUB_PROTO(1);
