/* Deferred writes for fan-out: connections whose queued output the loop
   thread writes in its next round, all of them after one wake-up. A
   publisher sending to many connections queues each message and adds the
   connection here once; the loop then writes everything queued in one
   gathered write per connection, however many messages that is, instead of
   the sender making one system call per connection per message. */
#ifndef NN_TRANSPORTS_FLUSHQ_H
#define NN_TRANSPORTS_FLUSHQ_H

#include "../utils/list.h"

struct nn_flushq_item {
    struct nn_list item;                      /* guarded by the queue */
    void (*fn)(struct nn_flushq_item *it);    /* loop thread, no lock held */
};

void nn_flushq_item_init(struct nn_flushq_item *it,
                         void (*fn)(struct nn_flushq_item *it));
/* Any thread. The owner adds an item at most once until its fn has run
   (it keeps a flag of its own under its own lock). */
void nn_flushq_add(struct nn_flushq_item *it);
/* Loop thread: forget an item whose owner is going away; fn will not run. */
void nn_flushq_remove(struct nn_flushq_item *it);

#endif
