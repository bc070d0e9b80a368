/* Map from a 32-bit id to a pointer: raw REP / RESPONDENT find the pipe a
   reply goes back to from the hop id at the front of its header. Open
   addressing, linear probing; NULL values are not stored. */
#ifndef NN_PROTOCOLS_IDMAP_H
#define NN_PROTOCOLS_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct nn_idmap_slot {
    uint32_t key;
    void *val;             /* NULL: empty slot */
};

struct nn_idmap {
    struct nn_idmap_slot *slots;
    size_t cap;            /* power of two, or 0 */
    size_t count;
};

void nn_idmap_init(struct nn_idmap *m);
void nn_idmap_term(struct nn_idmap *m);
/* 0, -EEXIST when the key is taken, -ENOMEM. */
int nn_idmap_put(struct nn_idmap *m, uint32_t key, void *val);
void *nn_idmap_get(const struct nn_idmap *m, uint32_t key);
void nn_idmap_del(struct nn_idmap *m, uint32_t key);

#endif
