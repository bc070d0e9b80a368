/* Reconnect backoff of connecting endpoints (TRANSPORTS.md §6): delays
   0, ivl, 3 ivl, 7 ivl, ... capped at max (0 = same as ivl), no jitter, and
   the multiplier is never reset, as in libnanomsg. */
#ifndef NN_TRANSPORTS_BACKOFF_H
#define NN_TRANSPORTS_BACKOFF_H

#include <stdint.h>

struct nn_backoff {
    uint64_t n;   /* multiplier, starts at 1 */
    int ivl;
    int max;
};

static inline void nn_backoff_init(struct nn_backoff *b, int ivl, int ivl_max)
{
    b->n = 1;
    b->ivl = ivl < 0 ? 0 : ivl;
    b->max = ivl_max <= 0 ? b->ivl : ivl_max;
}

/* Delay in ms before the next attempt. */
static inline int nn_backoff_next(struct nn_backoff *b)
{
    uint64_t delay = (b->n - 1) * (uint64_t) b->ivl;

    if (delay > (uint64_t) b->max)
        return b->max;
    /* Past 2^32 the product could wrap; with ivl 0 n would grow forever. */
    if (b->n < ((uint64_t) 1 << 32))
        b->n *= 2;
    return (int) delay;
}

#endif
