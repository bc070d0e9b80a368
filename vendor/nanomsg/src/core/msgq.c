#include <errno.h>
#include <stdlib.h>

#include "msgq.h"

void nn_msgq_init(struct nn_msgq *q)
{
    q->ring = NULL;
    q->cap = q->head = q->count = 0;
}

void nn_msgq_term(struct nn_msgq *q)
{
    struct nn_msg m;
    while (nn_msgq_pop(q, &m) == 0)
        nn_msg_term(&m);
    free(q->ring);
    nn_msgq_init(q);
}

static int grow(struct nn_msgq *q)
{
    size_t ncap = q->cap ? q->cap * 2 : 8;
    if (ncap > ((size_t) -1) / sizeof(struct nn_msg))
        return -ENOMEM;
    struct nn_msg *n = malloc(ncap * sizeof(*n));
    if (!n)
        return -ENOMEM;
    for (size_t i = 0; i < q->count; i++)
        n[i] = q->ring[(q->head + i) % q->cap];
    free(q->ring);
    q->ring = n;
    q->cap = ncap;
    q->head = 0;
    return 0;
}

int nn_msgq_push(struct nn_msgq *q, struct nn_msg *m)
{
    if (q->count == q->cap && grow(q) != 0)
        return -ENOMEM;
    q->ring[(q->head + q->count) % q->cap] = *m;
    q->count++;
    return 0;
}

int nn_msgq_pop(struct nn_msgq *q, struct nn_msg *m)
{
    if (q->count == 0)
        return -EAGAIN;
    *m = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return 0;
}
