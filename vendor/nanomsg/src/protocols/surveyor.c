/* SURVEYOR: each send starts a survey (new id, distributed to every
   writable respondent, deadline armed); recv returns the responses carrying
   that id until the deadline, then ETIMEDOUT once, then EFSM.
   Raw SURVEYOR: distribute as given, first word of a response as header. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/survey.h"
#include "dist.h"
#include "fq.h"
#include "protoutil.h"
#include "reqid.h"

#define SURVEYOR_DEADLINE_DEFAULT 1000

/* Pipe bookkeeping, all that raw SURVEYOR has; first member of the cooked
   state so the shared callbacks accept either. */
struct surveyor_pipes {
    struct nn_dist dist;
    struct nn_fq fq;
};

struct surveyor_pipe {
    struct nn_dist_item d;
    struct nn_fq_item f;
};

/* IDLE: no survey (recv -> EFSM); EXPIRED: the deadline passed and nobody
   has been told yet (next recv -> ETIMEDOUT, then IDLE). */
enum surveyor_state { SURVEY_IDLE, SURVEY_ACTIVE, SURVEY_EXPIRED };

struct surveyor {
    struct surveyor_pipes c;
    struct nn_sock_timer timer;
    enum surveyor_state state;
    uint32_t id;
    int deadline;
};

/* --- shared by cooked and raw ---------------------------------------- */

static int surveyor_add(void *state, struct nn_pipe *p)
{
    struct surveyor_pipes *c = state;
    struct surveyor_pipe *sp = malloc(sizeof *sp);
    if (!sp)
        return -1;
    nn_dist_add(&c->dist, &sp->d, p);
    nn_fq_add(&c->fq, &sp->f, p);
    nn_pipe_setdata(p, sp);
    return 0;
}

static void surveyor_rm(void *state, struct nn_pipe *p)
{
    struct surveyor_pipes *c = state;
    struct surveyor_pipe *sp = nn_pipe_getdata(p);
    nn_dist_rm(&c->dist, &sp->d);
    nn_fq_rm(&c->fq, &sp->f);
    free(sp);
}

static void surveyor_out(void *state, struct nn_pipe *p)
{
    struct surveyor_pipes *c = state;
    struct surveyor_pipe *sp = nn_pipe_getdata(p);
    nn_dist_out(&c->dist, &sp->d);
}

static void xsurveyor_in(void *state, struct nn_pipe *p)
{
    struct surveyor_pipes *c = state;
    struct surveyor_pipe *sp = nn_pipe_getdata(p);
    nn_fq_in(&c->fq, &sp->f);
}

/* --- cooked ---------------------------------------------------------- */

static void surveyor_expire(struct nn_sock_timer *t);

static int surveyor_create(struct nn_sock *s, void **state)
{
    struct surveyor *v = malloc(sizeof *v);
    if (!v)
        return -ENOMEM;
    nn_dist_init(&v->c.dist);
    nn_fq_init(&v->c.fq);
    nn_sock_timer_init(&v->timer, s, surveyor_expire);
    v->state = SURVEY_IDLE;
    v->id = nn_reqid_start();
    v->deadline = SURVEYOR_DEADLINE_DEFAULT;
    *state = v;
    return 0;
}

static void surveyor_destroy(void *state)
{
    struct surveyor *v = state;
    nn_sock_timer_term(&v->timer);
    free(v);
}

/* Everything queued now is stale (outside a survey, or before the current
   one went out); dropping it keeps IN readiness meaning "a response". */
static void surveyor_flush(struct surveyor *v)
{
    struct nn_msg m;
    while (nn_fq_recv(&v->c.fq, &m, NULL) == 0)
        nn_msg_term(&m);
}

static void surveyor_expire(struct nn_sock_timer *t)
{
    struct surveyor *v = nn_cont(t, struct surveyor, timer);
    if (v->state != SURVEY_ACTIVE)
        return;
    v->state = SURVEY_EXPIRED;
    surveyor_flush(v);
}

static void surveyor_in(void *state, struct nn_pipe *p)
{
    struct surveyor *v = state;
    xsurveyor_in(&v->c, p);
    if (v->state != SURVEY_ACTIVE)
        surveyor_flush(v);
}

static int surveyor_send(void *state, struct nn_msg *m)
{
    struct surveyor *v = state;
    uint32_t id = v->id;

    if (m->hdrlen != 0)
        return -EINVAL;
    int rc = nn_reqid_stamp(m, nn_reqid_next(&id));
    if (rc != 0)
        return rc;
    /* The previous survey, if any, ends here without a timeout report. */
    nn_sock_timer_stop(&v->timer);
    surveyor_flush(v);
    v->id = id;
    v->state = SURVEY_ACTIVE;
    nn_dist_send(&v->c.dist, m, 0);
    nn_sock_timer_start(&v->timer, v->deadline);
    return 0;
}

static int surveyor_recv(void *state, struct nn_msg *m)
{
    struct surveyor *v = state;
    switch (v->state) {
    case SURVEY_IDLE:
        return -EFSM;
    case SURVEY_EXPIRED:
        v->state = SURVEY_IDLE;
        return -ETIMEDOUT;
    case SURVEY_ACTIVE:
        break;
    }
    for (;;) {
        int rc = nn_fq_recv(&v->c.fq, m, NULL);
        if (rc != 0)
            return rc;
        if (nn_reqid_take(m, v->id))
            return 0;
        nn_msg_term(m);
    }
}

static int surveyor_setopt(void *state, int option, const void *val,
                           size_t len)
{
    struct surveyor *v = state;
    if (option != NN_SURVEYOR_DEADLINE)
        return -ENOPROTOOPT;
    return nn_proto_setint(&v->deadline, val, len);
}

static int surveyor_getopt(void *state, int option, void *val, size_t *len)
{
    struct surveyor *v = state;
    if (option != NN_SURVEYOR_DEADLINE)
        return -ENOPROTOOPT;
    return nn_proto_getint(v->deadline, val, len);
}

static int surveyor_events(void *state)
{
    struct surveyor *v = state;
    /* Idle or expired surveyors poll readable so that pollers come and
       learn ETIMEDOUT / EFSM. */
    int in = v->state != SURVEY_ACTIVE || nn_fq_can_recv(&v->c.fq);
    return NN_EV_OUT | (in ? NN_EV_IN : 0);
}

/* --- raw ------------------------------------------------------------- */

static int xsurveyor_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct surveyor_pipes *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    nn_dist_init(&c->dist);
    nn_fq_init(&c->fq);
    *state = c;
    return 0;
}

static void xsurveyor_destroy(void *state)
{
    free(state);
}

static int xsurveyor_send(void *state, struct nn_msg *m)
{
    struct surveyor_pipes *c = state;
    nn_dist_send(&c->dist, m, 0);
    return 0;
}

static int xsurveyor_recv(void *state, struct nn_msg *m)
{
    struct surveyor_pipes *c = state;
    return nn_reqid_raw_recv(&c->fq, m);
}

static int xsurveyor_events(void *state)
{
    struct surveyor_pipes *c = state;
    return NN_EV_OUT | (nn_fq_can_recv(&c->fq) ? NN_EV_IN : 0);
}

const struct nn_proto nn_surveyor_proto = {
    .type = NN_SURVEYOR, .peer = NN_RESPONDENT, .raw = 0,
    .name = "surveyor.sp.nanomsg.org",
    .create = surveyor_create, .destroy = surveyor_destroy,
    .add = surveyor_add, .rm = surveyor_rm,
    .in = surveyor_in, .out = surveyor_out,
    .send = surveyor_send, .recv = surveyor_recv,
    .setopt = surveyor_setopt, .getopt = surveyor_getopt,
    .events = surveyor_events,
};

const struct nn_proto nn_xsurveyor_proto = {
    .type = NN_SURVEYOR, .peer = NN_RESPONDENT, .raw = 1,
    .name = "surveyor.sp.nanomsg.org",
    .create = xsurveyor_create, .destroy = xsurveyor_destroy,
    .add = surveyor_add, .rm = surveyor_rm,
    .in = xsurveyor_in, .out = surveyor_out,
    .send = xsurveyor_send, .recv = xsurveyor_recv,
    .events = xsurveyor_events,
};
