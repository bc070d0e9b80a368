/* REQ: one request outstanding, resent on a timer or at once when the pipe
   carrying it goes away; a reply is accepted only for the current id.
   Raw REQ: load-balance out, fair-queue in, first word as header, no state. */
#include <errno.h>
#include <stdlib.h>

#include "nanomsg/reqrep.h"
#include "fq.h"
#include "lb.h"
#include "protoutil.h"
#include "reqid.h"

#define REQ_RESEND_DEFAULT 60000

enum req_state { REQ_IDLE, REQ_WAITING_PIPE, REQ_ACTIVE, REQ_DONE };

/* Pipe bookkeeping, all that raw REQ has; first member of `struct req` so
   the shared callbacks accept either state. */
struct req_pipes {
    struct nn_lb lb;
    struct nn_fq fq;
};

struct req {
    struct req_pipes c;
    struct nn_sock_timer resend;
    enum req_state state;
    uint32_t id;
    struct nn_msg request;      /* kept for resending: WAITING_PIPE, ACTIVE */
    struct nn_pipe *sent_to;    /* ACTIVE: pipe of the last transmission */
    struct nn_msg reply;        /* DONE */
    int resend_ivl;
};

struct req_pipe {
    struct nn_lb_item l;
    struct nn_fq_item f;
};

/* --- shared by cooked and raw ---------------------------------------- */

static int req_add(void *state, struct nn_pipe *pipe)
{
    struct req_pipes *r = state;
    struct req_pipe *rp = malloc(sizeof *rp);
    if (!rp)
        return -1;
    nn_lb_add(&r->lb, &rp->l, pipe);
    nn_fq_add(&r->fq, &rp->f, pipe);
    nn_pipe_setdata(pipe, rp);
    return 0;
}

static void req_detach(struct req_pipes *r, struct nn_pipe *pipe)
{
    struct req_pipe *rp = nn_pipe_getdata(pipe);
    nn_lb_rm(&r->lb, &rp->l);
    nn_fq_rm(&r->fq, &rp->f);
    free(rp);
}

static int req_sndprio(void *state)
{
    struct req_pipes *r = state;
    return nn_lb_prio(&r->lb);
}

/* --- cooked ---------------------------------------------------------- */

static void req_timeout(struct nn_sock_timer *t);

static int req_create(struct nn_sock *s, void **state)
{
    struct req *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    nn_lb_init(&r->c.lb);
    nn_fq_init(&r->c.fq);
    nn_sock_timer_init(&r->resend, s, req_timeout);
    r->state = REQ_IDLE;
    r->id = nn_reqid_start();
    r->resend_ivl = REQ_RESEND_DEFAULT;
    *state = r;
    return 0;
}

/* Drop whatever request or reply is held; back to IDLE. The timer is the
   caller's (it needs the socket lock, which destroy does not hold). */
static void req_drop(struct req *r)
{
    if (r->state == REQ_WAITING_PIPE || r->state == REQ_ACTIVE)
        nn_msg_term(&r->request);
    else if (r->state == REQ_DONE)
        nn_msg_term(&r->reply);
    r->sent_to = NULL;
    r->state = REQ_IDLE;
}

static void req_reset(struct req *r)
{
    nn_sock_timer_stop(&r->resend);
    req_drop(r);
}

static void req_destroy(void *state)
{
    struct req *r = state;
    nn_sock_timer_term(&r->resend);
    req_drop(r);
    free(r);
}

/* (Re)send the stored request; with no writable pipe, wait for one. */
static void req_transmit(struct req *r)
{
    struct nn_msg copy;

    r->sent_to = NULL;
    r->state = REQ_WAITING_PIPE;
    if (!nn_lb_can_send(&r->c.lb))
        return;
    /* Out of memory for the copy: let the resend timer try again. */
    if (nn_msg_dup(&copy, &r->request) == 0 &&
        nn_lb_send(&r->c.lb, &copy, &r->sent_to) != 0)
        nn_msg_term(&copy);
    r->state = REQ_ACTIVE;
    nn_sock_timer_start(&r->resend, r->resend_ivl);
}

static void req_timeout(struct nn_sock_timer *t)
{
    struct req *r = nn_cont(t, struct req, resend);
    if (r->state == REQ_ACTIVE)
        req_transmit(r);
}

static void req_rm(void *state, struct nn_pipe *pipe)
{
    struct req *r = state;
    req_detach(&r->c, pipe);
    if (r->state == REQ_ACTIVE && r->sent_to == pipe)
        req_transmit(r);
}

/* Replies are examined as they arrive, so that readiness (IN only in DONE)
   is exact; anything but the awaited reply is dropped. */
static void req_in(void *state, struct nn_pipe *pipe)
{
    struct req *r = state;
    struct req_pipe *rp = nn_pipe_getdata(pipe);
    struct nn_msg m;

    nn_fq_in(&r->c.fq, &rp->f);
    while (nn_fq_recv(&r->c.fq, &m, NULL) == 0) {
        /* A copy already sent may be answered while the resend waits
           for a writable pipe (a large request on a slow link keeps the
           pipe busy for longer than the resend interval). */
        if ((r->state == REQ_ACTIVE || r->state == REQ_WAITING_PIPE) &&
            nn_reqid_take(&m, r->id)) {
            nn_sock_timer_stop(&r->resend);
            nn_msg_term(&r->request);
            r->sent_to = NULL;
            r->reply = m;
            r->state = REQ_DONE;
        } else {
            nn_msg_term(&m);
        }
    }
}

static void req_out(void *state, struct nn_pipe *pipe)
{
    struct req *r = state;
    struct req_pipe *rp = nn_pipe_getdata(pipe);
    nn_lb_out(&r->c.lb, &rp->l);
    if (r->state == REQ_WAITING_PIPE)
        req_transmit(r);
}

static int req_send(void *state, struct nn_msg *m)
{
    struct req *r = state;
    uint32_t id = r->id;

    if (m->hdrlen != 0)
        return -EINVAL;
    int rc = nn_reqid_stamp(m, nn_reqid_next(&id));
    if (rc != 0)
        return rc;
    /* A new request abandons the old one; its late reply will not match. */
    rc = nn_msg_own(m);   /* kept for resending */
    if (rc != 0)
        return rc;
    req_reset(r);
    r->id = id;
    r->request = *m;
    req_transmit(r);
    return 0;
}

static int req_recv(void *state, struct nn_msg *m)
{
    struct req *r = state;
    switch (r->state) {
    case REQ_IDLE:
        return -EFSM;
    case REQ_DONE:
        *m = r->reply;
        r->state = REQ_IDLE;
        return 0;
    default:
        return -EAGAIN;
    }
}

static int req_setopt(void *state, int option, const void *val, size_t len)
{
    struct req *r = state;
    if (option != NN_REQ_RESEND_IVL)
        return -ENOPROTOOPT;
    return nn_proto_setint(&r->resend_ivl, val, len);
}

static int req_getopt(void *state, int option, void *val, size_t *len)
{
    struct req *r = state;
    if (option != NN_REQ_RESEND_IVL)
        return -ENOPROTOOPT;
    return nn_proto_getint(r->resend_ivl, val, len);
}

static int req_events(void *state)
{
    struct req *r = state;
    return NN_EV_OUT | (r->state == REQ_DONE ? NN_EV_IN : 0);
}

/* --- raw ------------------------------------------------------------- */

static int xreq_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct req_pipes *r = malloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    nn_lb_init(&r->lb);
    nn_fq_init(&r->fq);
    *state = r;
    return 0;
}

static void xreq_destroy(void *state)
{
    free(state);
}

static void xreq_rm(void *state, struct nn_pipe *pipe)
{
    req_detach(state, pipe);
}

static void xreq_in(void *state, struct nn_pipe *pipe)
{
    struct req_pipes *r = state;
    struct req_pipe *rp = nn_pipe_getdata(pipe);
    nn_fq_in(&r->fq, &rp->f);
}

static void xreq_out(void *state, struct nn_pipe *pipe)
{
    struct req_pipes *r = state;
    struct req_pipe *rp = nn_pipe_getdata(pipe);
    nn_lb_out(&r->lb, &rp->l);
}

static int xreq_send(void *state, struct nn_msg *m)
{
    struct req_pipes *r = state;
    return nn_lb_send(&r->lb, m, NULL);
}

static int xreq_recv(void *state, struct nn_msg *m)
{
    struct req_pipes *r = state;
    return nn_reqid_raw_recv(&r->fq, m);
}

static int xreq_events(void *state)
{
    struct req_pipes *r = state;
    return (nn_fq_can_recv(&r->fq) ? NN_EV_IN : 0) |
           (nn_lb_can_send(&r->lb) ? NN_EV_OUT : 0);
}

const struct nn_proto nn_req_proto = {
    .type = NN_REQ, .peer = NN_REP, .raw = 0, .name = "req.sp.nanomsg.org",
    .create = req_create, .destroy = req_destroy,
    .add = req_add, .rm = req_rm, .in = req_in, .out = req_out,
    .send = req_send, .recv = req_recv,
    .setopt = req_setopt, .getopt = req_getopt,
    .events = req_events, .sndprio = req_sndprio,
};

const struct nn_proto nn_xreq_proto = {
    .type = NN_REQ, .peer = NN_REP, .raw = 1, .name = "req.sp.nanomsg.org",
    .create = xreq_create, .destroy = xreq_destroy,
    .add = req_add, .rm = xreq_rm, .in = xreq_in, .out = xreq_out,
    .send = xreq_send, .recv = xreq_recv,
    .events = xreq_events, .sndprio = req_sndprio,
};
