#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "subset.h"

void nn_subset_init(struct nn_subset *s)
{
    s->v = NULL;
    s->n = s->cap = 0;
}

void nn_subset_term(struct nn_subset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].data);
    free(s->v);
    nn_subset_init(s);
}

static int cmp(const struct nn_subset_entry *e, const uint8_t *p, size_t len)
{
    size_t k = e->len < len ? e->len : len;
    int c = k ? memcmp(e->data, p, k) : 0;
    if (c)
        return c;
    return (e->len > len) - (e->len < len);
}

/* Index of the entry equal to the prefix, or where it would be inserted;
   *found tells which. */
static size_t find(const struct nn_subset *s, const uint8_t *p, size_t len,
                   int *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(&s->v[mid], p, len);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

int nn_subset_add(struct nn_subset *s, const void *prefix, size_t len)
{
    int found;
    size_t i = find(s, prefix, len, &found);
    if (found) {
        s->v[i].refs++;
        return 0;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 4;
        if (ncap > SIZE_MAX / sizeof *s->v)
            return -ENOMEM;
        struct nn_subset_entry *nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return -ENOMEM;
        s->v = nv;
        s->cap = ncap;
    }
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return -ENOMEM;
        memcpy(copy, prefix, len);
    }
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i].data = copy;
    s->v[i].len = len;
    s->v[i].refs = 1;
    s->n++;
    return 0;
}

int nn_subset_rm(struct nn_subset *s, const void *prefix, size_t len)
{
    int found;
    size_t i = find(s, prefix, len, &found);
    if (!found)
        return -EINVAL;
    if (--s->v[i].refs > 0)
        return 0;
    free(s->v[i].data);
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
    s->n--;
    return 0;
}

int nn_subset_match(const struct nn_subset *s, const void *body, size_t len)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct nn_subset_entry *e = &s->v[i];
        if (e->len <= len &&
            (e->len == 0 || memcmp(e->data, body, e->len) == 0))
            return 1;
    }
    return 0;
}
