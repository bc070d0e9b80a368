#include "priolist.h"

/* Index of the lowest set bit of a non-zero mask (at most 16 steps). */
static int lowest(uint32_t mask)
{
    int i = 0;
    while (!(mask & 1)) {
        mask >>= 1;
        i++;
    }
    return i;
}

void nn_priolist_init(struct nn_priolist *l)
{
    for (int i = 0; i < NN_PRIO_LEVELS; i++)
        nn_list_init(&l->groups[i]);
    l->mask = 0;
}

void nn_priolist_item_init(struct nn_prio_item *it, struct nn_pipe *p,
                           int prio)
{
    nn_list_init(&it->node);
    it->pipe = p;
    /* The core validates priorities; clamping keeps the index safe anyway. */
    if (prio < 1)
        prio = 1;
    if (prio > NN_PRIO_LEVELS)
        prio = NN_PRIO_LEVELS;
    it->prio = prio;
}

void nn_priolist_activate(struct nn_priolist *l, struct nn_prio_item *it)
{
    if (nn_list_linked(&it->node))
        return;
    nn_list_push(&l->groups[it->prio - 1], &it->node);
    l->mask |= UINT32_C(1) << (it->prio - 1);
}

void nn_priolist_deactivate(struct nn_priolist *l, struct nn_prio_item *it)
{
    if (!nn_list_linked(&it->node))
        return;
    nn_list_remove(&it->node);
    if (nn_list_empty(&l->groups[it->prio - 1]))
        l->mask &= ~(UINT32_C(1) << (it->prio - 1));
}

struct nn_prio_item *nn_priolist_head(const struct nn_priolist *l)
{
    if (l->mask == 0)
        return NULL;
    int g = lowest(l->mask);
    return nn_list_entry(l->groups[g].next, struct nn_prio_item, node);
}

void nn_priolist_rotate(struct nn_priolist *l, struct nn_prio_item *it)
{
    if (!nn_list_linked(&it->node))
        return;
    nn_list_remove(&it->node);
    nn_list_push(&l->groups[it->prio - 1], &it->node);
}

int nn_priolist_best(const struct nn_priolist *l)
{
    return l->mask ? lowest(l->mask) + 1 : -1;
}
