/* Intrusive circular doubly-linked list. A node embedded in a struct is
   linked into exactly one list at a time; an unlinked node points to itself
   so that nn_list_linked() can tell without a separate flag. */
#ifndef NN_UTILS_LIST_H
#define NN_UTILS_LIST_H

#include <stddef.h>

struct nn_list {
    struct nn_list *next;
    struct nn_list *prev;
};

#define nn_list_entry(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))

static inline void nn_list_init(struct nn_list *l) { l->next = l->prev = l; }
static inline int nn_list_empty(const struct nn_list *l) { return l->next == l; }
static inline int nn_list_linked(const struct nn_list *n) { return n->next != n; }

static inline void nn_list_insert_before(struct nn_list *pos, struct nn_list *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

/* Append at the tail of list `l`. */
static inline void nn_list_push(struct nn_list *l, struct nn_list *n)
{
    nn_list_insert_before(l, n);
}

static inline void nn_list_remove(struct nn_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

/* Iterate safely against removal of the current node. */
#define nn_list_foreach(it, tmp, head) \
    for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); \
         (it) = (tmp), (tmp) = (it)->next)

#endif
