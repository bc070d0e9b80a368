/* Load-balance: each message goes to one pipe, the next (round-robin) of the
   best NN_SNDPRIO group that has a writable pipe. Used by PUSH and REQ. */
#ifndef NN_PROTOCOLS_LB_H
#define NN_PROTOCOLS_LB_H

#include "../core/proto.h"
#include "priolist.h"

struct nn_lb {
    struct nn_priolist writable;
    int seen_pipe;   /* the reference reports 0 until a first pipe arrives */
};

struct nn_lb_item {
    struct nn_prio_item pi;
};

void nn_lb_init(struct nn_lb *lb);
void nn_lb_add(struct nn_lb *lb, struct nn_lb_item *it, struct nn_pipe *p);
void nn_lb_rm(struct nn_lb *lb, struct nn_lb_item *it);
/* The pipe can take a message. */
void nn_lb_out(struct nn_lb *lb, struct nn_lb_item *it);
/* 0 when a pipe took *m (its pipe in *to when non-NULL), or -EAGAIN with
   *m left to the caller. */
int nn_lb_send(struct nn_lb *lb, struct nn_msg *m, struct nn_pipe **to);
/* Priority of the best group able to send now, -1 for none (0 before any
   pipe has been added, as libnanomsg reports). */
int nn_lb_prio(const struct nn_lb *lb);

static inline int nn_lb_can_send(const struct nn_lb *lb)
{
    return !nn_priolist_empty(&lb->writable);
}

#endif
