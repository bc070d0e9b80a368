#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: short keys (endpoint names), cheap and well spread. */
static uint32_t strmap_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t) *s) * 16777619u;
    return h;
}

static struct nn_strmap_node **slot_of(const struct nn_strmap *m, uint32_t h)
{
    return &m->buckets[h & (m->nbuckets - 1)];
}

struct nn_strmap_node *nn_strmap_find(const struct nn_strmap *m,
                                      const char *key)
{
    if (m->count == 0)
        return NULL;
    uint32_t h = strmap_hash(key);
    struct nn_strmap_node *n;
    for (n = *slot_of(m, h); n; n = n->next)
        if (n->hash == h && strcmp(n->key, key) == 0)
            return n;
    return NULL;
}

static void strmap_rehash(struct nn_strmap *m, size_t nbuckets)
{
    struct nn_strmap_node **nb = calloc(nbuckets, sizeof(*nb));
    if (!nb)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct nn_strmap_node *n = m->buckets[i], *next;
        for (; n; n = next) {
            next = n->next;
            struct nn_strmap_node **s = &nb[n->hash & (nbuckets - 1)];
            n->next = *s;
            *s = n;
        }
    }
    free(m->buckets);
    m->buckets = nb;
    m->nbuckets = nbuckets;
}

int nn_strmap_insert(struct nn_strmap *m, struct nn_strmap_node *n,
                     const char *key)
{
    if (!m->buckets) {
        strmap_rehash(m, 16);
        if (!m->buckets)
            return -ENOMEM;
    } else if (m->count >= m->nbuckets && m->nbuckets <= SIZE_MAX / 4) {
        strmap_rehash(m, m->nbuckets * 2);
    }
    n->key = key;
    n->hash = strmap_hash(key);
    struct nn_strmap_node **s = slot_of(m, n->hash);
    n->next = *s;
    *s = n;
    m->count++;
    return 0;
}

void nn_strmap_remove(struct nn_strmap *m, struct nn_strmap_node *n)
{
    struct nn_strmap_node **p = slot_of(m, n->hash);
    while (*p != n)
        p = &(*p)->next;
    *p = n->next;
    n->next = NULL;
    if (--m->count == 0) {
        free(m->buckets);
        m->buckets = NULL;
        m->nbuckets = 0;
    }
}
