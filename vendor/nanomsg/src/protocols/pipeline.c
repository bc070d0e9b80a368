/* PUSH / PULL: PUSH load-balances each message to one PULL, PULL
   fair-queues. No header. PULL peers never talk back; anything they send is
   read and dropped. Cooked and raw behave the same. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/pipeline.h"
#include "fq.h"
#include "lb.h"
#include "protoutil.h"

/* --- PUSH ------------------------------------------------------------- */

struct push {
    struct nn_lb lb;
};

struct push_pipe {
    struct nn_lb_item l;
};

static int push_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct push *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    nn_lb_init(&p->lb);
    *state = p;
    return 0;
}

static void push_destroy(void *state)
{
    free(state);
}

static int push_add(void *state, struct nn_pipe *pipe)
{
    struct push *p = state;
    struct push_pipe *pp = malloc(sizeof *pp);
    if (!pp)
        return -1;
    nn_lb_add(&p->lb, &pp->l, pipe);
    nn_pipe_setdata(pipe, pp);
    return 0;
}

static void push_rm(void *state, struct nn_pipe *pipe)
{
    struct push *p = state;
    struct push_pipe *pp = nn_pipe_getdata(pipe);
    nn_lb_rm(&p->lb, &pp->l);
    free(pp);
}

static void push_in(void *state, struct nn_pipe *pipe)
{
    (void) state;
    nn_proto_drain(pipe);
}

static void push_out(void *state, struct nn_pipe *pipe)
{
    struct push *p = state;
    struct push_pipe *pp = nn_pipe_getdata(pipe);
    nn_lb_out(&p->lb, &pp->l);
}

static int push_send(void *state, struct nn_msg *m)
{
    struct push *p = state;
    return nn_lb_send(&p->lb, m, NULL);
}

static int push_events(void *state)
{
    struct push *p = state;
    return nn_lb_can_send(&p->lb) ? NN_EV_OUT : 0;
}

static int push_sndprio(void *state)
{
    struct push *p = state;
    return nn_lb_prio(&p->lb);
}

/* --- PULL ------------------------------------------------------------- */

struct pull {
    struct nn_fq fq;
};

struct pull_pipe {
    struct nn_fq_item f;
};

static int pull_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct pull *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    nn_fq_init(&p->fq);
    *state = p;
    return 0;
}

static void pull_destroy(void *state)
{
    free(state);
}

static int pull_add(void *state, struct nn_pipe *pipe)
{
    struct pull *p = state;
    struct pull_pipe *pp = malloc(sizeof *pp);
    if (!pp)
        return -1;
    nn_fq_add(&p->fq, &pp->f, pipe);
    nn_pipe_setdata(pipe, pp);
    return 0;
}

static void pull_rm(void *state, struct nn_pipe *pipe)
{
    struct pull *p = state;
    struct pull_pipe *pp = nn_pipe_getdata(pipe);
    nn_fq_rm(&p->fq, &pp->f);
    free(pp);
}

static void pull_in(void *state, struct nn_pipe *pipe)
{
    struct pull *p = state;
    struct pull_pipe *pp = nn_pipe_getdata(pipe);
    nn_fq_in(&p->fq, &pp->f);
}

static void pull_out(void *state, struct nn_pipe *pipe)
{
    (void) state;
    (void) pipe;
}

static int pull_recv(void *state, struct nn_msg *m)
{
    struct pull *p = state;
    for (;;) {
        int rc = nn_fq_recv(&p->fq, m, NULL);
        if (rc != 0)
            return rc;
        if (nn_msg_split(m, 0) == 0)
            return 0;
        nn_msg_term(m);
    }
}

static int pull_events(void *state)
{
    struct pull *p = state;
    return nn_fq_can_recv(&p->fq) ? NN_EV_IN : 0;
}

#define PUSH_PROTO(raw_) {                                                 \
    .type = NN_PUSH, .peer = NN_PULL, .raw = (raw_),                       \
    .name = "push.sp.nanomsg.org",                                         \
    .create = push_create, .destroy = push_destroy,                        \
    .add = push_add, .rm = push_rm, .in = push_in, .out = push_out,        \
    .send = push_send, .events = push_events, .sndprio = push_sndprio,     \
}

#define PULL_PROTO(raw_) {                                                 \
    .type = NN_PULL, .peer = NN_PUSH, .raw = (raw_),                       \
    .name = "pull.sp.nanomsg.org",                                         \
    .create = pull_create, .destroy = pull_destroy,                        \
    .add = pull_add, .rm = pull_rm, .in = pull_in, .out = pull_out,        \
    .recv = pull_recv, .events = pull_events,                              \
}

const struct nn_proto nn_push_proto = PUSH_PROTO(0);
const struct nn_proto nn_xpush_proto = PUSH_PROTO(1);
const struct nn_proto nn_pull_proto = PULL_PROTO(0);
const struct nn_proto nn_xpull_proto = PULL_PROTO(1);
