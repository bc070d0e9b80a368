/* Pipes grouped by priority (1 best .. 16), holding only the pipes that are
   currently usable in one direction. The head of the best non-empty group is
   the next pipe to use; rotating it to the tail after use gives round-robin
   inside the group. Shared by fair-queue (readable pipes) and load-balance
   (writable pipes). */
#ifndef NN_PROTOCOLS_PRIOLIST_H
#define NN_PROTOCOLS_PRIOLIST_H

#include <stdint.h>

#include "../utils/list.h"

#define NN_PRIO_LEVELS 16

struct nn_pipe;

struct nn_prio_item {
    struct nn_list node;   /* linked while usable */
    struct nn_pipe *pipe;
    int prio;              /* 1 .. 16 */
};

struct nn_priolist {
    struct nn_list groups[NN_PRIO_LEVELS];
    uint32_t mask;         /* bit prio-1 set while that group is non-empty */
};

void nn_priolist_init(struct nn_priolist *l);
void nn_priolist_item_init(struct nn_prio_item *it, struct nn_pipe *p,
                           int prio);
/* Mark usable (appended at the tail of its group) / not usable. Both are
   no-ops when the item is already in that state. */
void nn_priolist_activate(struct nn_priolist *l, struct nn_prio_item *it);
void nn_priolist_deactivate(struct nn_priolist *l, struct nn_prio_item *it);
/* Next item to use, or NULL when no pipe is usable. */
struct nn_prio_item *nn_priolist_head(const struct nn_priolist *l);
/* Send a just-used item to the back of its group. */
void nn_priolist_rotate(struct nn_priolist *l, struct nn_prio_item *it);
/* Priority of the best usable group, -1 if none. */
int nn_priolist_best(const struct nn_priolist *l);

static inline int nn_priolist_empty(const struct nn_priolist *l)
{
    return l->mask == 0;
}

#endif
