/*
 * blkcache.h - a few freed large heap blocks kept for reuse.
 *
 * A stream of large messages allocates and frees one block per message.
 * glibc hands such blocks back to the kernel when they sit at the top of
 * the heap (or were mmapped), so every next message faults its pages in
 * again: at 64 KiB per message that costs more than the copy itself. The
 * cache keeps the last few freed blocks and serves an allocation from one
 * that fits, so the pages stay mapped.
 */
#ifndef NN_BLKCACHE_H_INCLUDED
#define NN_BLKCACHE_H_INCLUDED

#include <stddef.h>

/* A block of at least `size` bytes, its real size in *cap. NULL when
   memory runs out. */
void *nn_blk_alloc(size_t size, size_t *cap);

/* Give back a block of nn_blk_alloc (or of malloc/realloc, with its real
   size as far as the caller knows it). */
void nn_blk_free(void *blk, size_t cap);

/* Free every cached block (nn_term). */
void nn_blk_flush(void);

#endif
