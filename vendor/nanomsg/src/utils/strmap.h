/* Intrusive hash map keyed by NUL-terminated strings, chained, growing by
   doubling so that lookups stay O(1) however many keys there are. The map
   never owns its nodes or their keys; the caller embeds a node in its own
   struct and keeps the key alive while the node is in the map. Not locked:
   the owner's lock guards it. */
#ifndef NN_UTILS_STRMAP_H
#define NN_UTILS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct nn_strmap_node {
    struct nn_strmap_node *next;  /* chain within one bucket */
    const char *key;
    uint32_t hash;
};

struct nn_strmap {
    struct nn_strmap_node **buckets;  /* NULL until the first insert */
    size_t nbuckets;                  /* 0 or a power of two */
    size_t count;
};

#define NN_STRMAP_INIT { NULL, 0, 0 }

struct nn_strmap_node *nn_strmap_find(const struct nn_strmap *m,
                                      const char *key);

/* Adds `n` under `key` (the caller has checked it is absent). 0, or
   -ENOMEM if the map has no bucket array yet and none can be allocated.
   A failed growth later is not an error: chains just get longer. */
int nn_strmap_insert(struct nn_strmap *m, struct nn_strmap_node *n,
                     const char *key);

/* Removes `n`, which must be in the map. Frees the bucket array when the
   map becomes empty, so an idle map holds no memory. */
void nn_strmap_remove(struct nn_strmap *m, struct nn_strmap_node *n);

#endif
