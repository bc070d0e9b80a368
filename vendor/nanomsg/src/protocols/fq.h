/* Fair-queue: take the next inbound message from the best-priority group
   (by the endpoint's NN_RCVPRIO) that has a readable pipe, one message per
   pipe per turn. Used by every receiving protocol. */
#ifndef NN_PROTOCOLS_FQ_H
#define NN_PROTOCOLS_FQ_H

#include "../core/proto.h"
#include "priolist.h"

struct nn_fq {
    struct nn_priolist readable;
};

struct nn_fq_item {
    struct nn_prio_item pi;
};

void nn_fq_init(struct nn_fq *fq);
void nn_fq_add(struct nn_fq *fq, struct nn_fq_item *it, struct nn_pipe *p);
void nn_fq_rm(struct nn_fq *fq, struct nn_fq_item *it);
/* The pipe now holds a message. */
void nn_fq_in(struct nn_fq *fq, struct nn_fq_item *it);
/* 0 with *m filled (and *from set when non-NULL), or -EAGAIN. */
int nn_fq_recv(struct nn_fq *fq, struct nn_msg *m, struct nn_pipe **from);

static inline int nn_fq_can_recv(const struct nn_fq *fq)
{
    return !nn_priolist_empty(&fq->readable);
}

#endif
