/* chunk.c - reference-counted message buffers (see chunk.h).
 *
 * Block layout:  [hdr][padding][trailer][data ...]
 * The trailer always sits immediately before the data pointer.  Trimming
 * moves the data pointer forward and writes a fresh trailer in front of it,
 * so the trailer is accessed with memcpy: it may be unaligned. */
#include "chunk.h"
#include "blkcache.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Marks live chunks; cleared when a data pointer dies so a stale pointer
   fails nn_chunk_check. */
#define NN_CHUNK_TAG 0x6e6e6368u
#define NN_CHUNK_DEAD 0u

struct nn_chunk_hdr {
    atomic_size_t refs;
    size_t size; /* usable bytes from the current data pointer */
    size_t cap;  /* bytes of the whole block */
};

struct nn_chunk_trailer {
    size_t offset; /* data pointer minus block start */
    uint32_t tag;
};

#define NN_CHUNK_ALIGN _Alignof(max_align_t)
/* Header plus trailer, rounded so fresh data is max_align_t aligned. */
#define NN_CHUNK_PREFIX                                                   \
    ((sizeof(struct nn_chunk_hdr) + sizeof(struct nn_chunk_trailer) +     \
      NN_CHUNK_ALIGN - 1) / NN_CHUNK_ALIGN * NN_CHUNK_ALIGN)

static struct nn_chunk_trailer nn_chunk_trailer_get(const void *p)
{
    struct nn_chunk_trailer t;

    memcpy(&t, (const char *) p - sizeof t, sizeof t);
    return t;
}

static void nn_chunk_trailer_put(void *p, size_t offset, uint32_t tag)
{
    struct nn_chunk_trailer t;

    memset(&t, 0, sizeof t);
    t.offset = offset;
    t.tag = tag;
    memcpy((char *) p - sizeof t, &t, sizeof t);
}

static char *nn_chunk_base(const void *p)
{
    return (char *) p - nn_chunk_trailer_get(p).offset;
}

static struct nn_chunk_hdr *nn_chunk_hdr(const void *p)
{
    return (struct nn_chunk_hdr *) nn_chunk_base(p);
}

/* Kills the tag in front of `p` (the pointer is about to die). */
static void nn_chunk_untag(void *p)
{
    uint32_t dead = NN_CHUNK_DEAD;

    memcpy((char *) p - sizeof(struct nn_chunk_trailer) +
               offsetof(struct nn_chunk_trailer, tag),
           &dead, sizeof dead);
}

void *nn_chunk_alloc(size_t size)
{
    struct nn_chunk_hdr *hdr;
    size_t cap;
    char *data;

    if (size > SIZE_MAX - NN_CHUNK_PREFIX) {
        errno = ENOMEM;
        return NULL;
    }
    hdr = nn_blk_alloc(NN_CHUNK_PREFIX + size, &cap);
    if (hdr == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&hdr->refs, 1);
    hdr->size = size;
    hdr->cap = cap;
    data = (char *) hdr + NN_CHUNK_PREFIX;
    nn_chunk_trailer_put(data, NN_CHUNK_PREFIX, NN_CHUNK_TAG);
    return data;
}

void nn_chunk_ref(void *p)
{
    /* Taking a reference needs no ordering: the caller already holds one. */
    atomic_fetch_add_explicit(&nn_chunk_hdr(p)->refs, 1, memory_order_relaxed);
}

void nn_chunk_unref(void *p)
{
    struct nn_chunk_hdr *hdr = nn_chunk_hdr(p);

    /* acq_rel: the freeing thread must see every other holder's writes. */
    if (atomic_fetch_sub_explicit(&hdr->refs, 1, memory_order_acq_rel) != 1)
        return;
    nn_chunk_untag(p);
    nn_blk_free(hdr, hdr->cap);
}

size_t nn_chunk_size(const void *p)
{
    return nn_chunk_hdr(p)->size;
}

int nn_chunk_check(const void *p)
{
    if (p == NULL)
        return 0;
    return nn_chunk_trailer_get(p).tag == NN_CHUNK_TAG;
}

/* Only the sole owner may change a chunk in place. */
static int nn_chunk_exclusive(struct nn_chunk_hdr *hdr)
{
    return atomic_load_explicit(&hdr->refs, memory_order_acquire) == 1;
}

/* New chunk holding a copy of bytes [from, from + size) of `p`, with the
   tail past p's end left uninitialised; drops the reference to `p`. */
static void *nn_chunk_copy(void *p, size_t from, size_t size)
{
    size_t have = nn_chunk_size(p) - from;
    void *fresh = nn_chunk_alloc(size);

    if (fresh == NULL)
        return NULL;
    memcpy(fresh, (char *) p + from, size < have ? size : have);
    nn_chunk_unref(p);
    return fresh;
}

void *nn_chunk_resize(void *p, size_t size)
{
    struct nn_chunk_hdr *hdr = nn_chunk_hdr(p);
    size_t offset = nn_chunk_trailer_get(p).offset;

    if (!nn_chunk_exclusive(hdr))
        return nn_chunk_copy(p, 0, size);
    if (size <= hdr->size) {
        hdr->size = size;
        return p;
    }
    /* Sole owner: let realloc grow in place when it can.  The block keeps
       any trimmed gap, so the offset in the trailer stays valid. */
    if (size > SIZE_MAX - offset) {
        errno = ENOMEM;
        return NULL;
    }
    if (offset + size > hdr->cap) {
        hdr = realloc(hdr, offset + size);
        if (hdr == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        hdr->cap = offset + size;
    }
    hdr->size = size;
    return (char *) hdr + offset;
}

void *nn_chunk_trim(void *p, size_t n)
{
    struct nn_chunk_hdr *hdr = nn_chunk_hdr(p);
    size_t offset = nn_chunk_trailer_get(p).offset;
    char *data;

    if (n > hdr->size)
        n = hdr->size;
    if (n == 0)
        return p;
    /* Other holders would see their bytes overwritten by our trailer. */
    if (!nn_chunk_exclusive(hdr))
        return nn_chunk_copy(p, n, hdr->size - n);
    nn_chunk_untag(p);
    data = (char *) p + n;
    nn_chunk_trailer_put(data, offset + n, NN_CHUNK_TAG);
    hdr->size -= n;
    return data;
}
