#include <errno.h>
#include <stdlib.h>

#include "idmap.h"

static size_t home(const struct nn_idmap *m, uint32_t key)
{
    /* Hop ids are consecutive; a multiplicative mix spreads them anyway. */
    return (size_t) (key * UINT32_C(2654435761)) & (m->cap - 1);
}

void nn_idmap_init(struct nn_idmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void nn_idmap_term(struct nn_idmap *m)
{
    free(m->slots);
    nn_idmap_init(m);
}

static void place(struct nn_idmap *m, uint32_t key, void *val)
{
    size_t i = home(m, key);
    while (m->slots[i].val)
        i = (i + 1) & (m->cap - 1);
    m->slots[i].key = key;
    m->slots[i].val = val;
}

static int grow(struct nn_idmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct nn_idmap_slot *old = m->slots;
    size_t ocap = m->cap;

    if (ncap > SIZE_MAX / sizeof *old)
        return -ENOMEM;
    m->slots = calloc(ncap, sizeof *old);
    if (!m->slots) {
        m->slots = old;
        return -ENOMEM;
    }
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].val)
            place(m, old[i].key, old[i].val);
    free(old);
    return 0;
}

int nn_idmap_put(struct nn_idmap *m, uint32_t key, void *val)
{
    if (nn_idmap_get(m, key))
        return -EEXIST;
    /* Keep the load under one half so probes stay short. */
    if ((m->count + 1) * 2 > m->cap && grow(m) != 0)
        return -ENOMEM;
    place(m, key, val);
    m->count++;
    return 0;
}

void *nn_idmap_get(const struct nn_idmap *m, uint32_t key)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = home(m, key); m->slots[i].val; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].key == key)
            return m->slots[i].val;
    return NULL;
}

void nn_idmap_del(struct nn_idmap *m, uint32_t key)
{
    size_t mask = m->cap - 1, i;

    if (m->cap == 0)
        return;
    for (i = home(m, key); m->slots[i].val; i = (i + 1) & mask)
        if (m->slots[i].key == key)
            break;
    if (!m->slots[i].val)
        return;
    /* Backward-shift deletion: pull later entries of the probe run into
       the hole when their home position allows it, so no tombstones. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
        size_t h = home(m, m->slots[j].key);
        /* Entry j may move to `hole` iff h is not cyclically in (hole, j]. */
        int movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
        if (movable) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].val = NULL;
    m->count--;
}
