/* SUB's subscription set: byte-string prefixes with reference counts.
   A message matches when any subscribed prefix is a prefix of its body
   (the empty prefix matches everything). Kept sorted so that subscribe and
   unsubscribe find an entry by binary search. */
#ifndef NN_PROTOCOLS_SUBSET_H
#define NN_PROTOCOLS_SUBSET_H

#include <stddef.h>
#include <stdint.h>

struct nn_subset_entry {
    uint8_t *data;         /* NULL when len == 0 */
    size_t len;
    size_t refs;
};

struct nn_subset {
    struct nn_subset_entry *v;
    size_t n, cap;
};

void nn_subset_init(struct nn_subset *s);
void nn_subset_term(struct nn_subset *s);
/* 0 or -ENOMEM. */
int nn_subset_add(struct nn_subset *s, const void *prefix, size_t len);
/* 0, or -EINVAL when that exact prefix is not subscribed. */
int nn_subset_rm(struct nn_subset *s, const void *prefix, size_t len);
int nn_subset_match(const struct nn_subset *s, const void *body, size_t len);

#endif
