/* Growable FIFO ring of messages (a pipe's inbound queue). Messages are
   stored by value, so queueing allocates nothing once the ring has grown
   to its working size. */
#ifndef NN_CORE_MSGQ_H
#define NN_CORE_MSGQ_H

#include <stddef.h>

#include "msg.h"

struct nn_msgq {
    struct nn_msg *ring;
    size_t cap, head, count;
};

void nn_msgq_init(struct nn_msgq *q);
/* Drops every queued message and frees the ring. */
void nn_msgq_term(struct nn_msgq *q);
/* Takes *m; -ENOMEM leaves *m with the caller. */
int nn_msgq_push(struct nn_msgq *q, struct nn_msg *m);
/* 0 or -EAGAIN when empty. */
int nn_msgq_pop(struct nn_msgq *q, struct nn_msg *m);

#endif
