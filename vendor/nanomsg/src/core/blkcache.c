/* blkcache.c - a few freed large heap blocks kept for reuse (blkcache.h).
 *
 * Small blocks are left to malloc, which recycles them well. A block is
 * reused for a request at most a quarter smaller than it, so mixed sizes
 * waste little; when the cache is full the oldest block goes, so it
 * follows a change of message size. What it holds is bounded in count and
 * bytes, and reachable, so leak checkers do not report it. */
#include "blkcache.h"

#include <pthread.h>
#include <stdlib.h>

#define NN_BLK_MIN (16u * 1024u)
#define NN_BLK_MAX (16u * 1024u * 1024u)

/* Under AddressSanitizer every block goes back to malloc: a reused block
   would hide a use after free from it. */
#if defined(__SANITIZE_ADDRESS__)
#define NN_BLK_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NN_BLK_ON 0
#endif
#endif
#ifndef NN_BLK_ON
#define NN_BLK_ON 1
#endif
#define NN_BLK_SLOTS 8
#define NN_BLK_BYTES (8u * 1024u * 1024u)

static struct {
    pthread_mutex_t mtx;
    void *blk[NN_BLK_SLOTS];
    size_t cap[NN_BLK_SLOTS];
    int next;      /* the oldest slot: the next to be replaced */
    size_t bytes;
} nn_blk = { .mtx = PTHREAD_MUTEX_INITIALIZER };

void *nn_blk_alloc(size_t size, size_t *cap)
{
    void *blk = NULL;
    int best = -1;

    if (NN_BLK_ON && size >= NN_BLK_MIN && size <= NN_BLK_MAX) {
        pthread_mutex_lock(&nn_blk.mtx);
        for (int i = 0; i < NN_BLK_SLOTS; i++) {
            size_t c = nn_blk.cap[i];
            if (nn_blk.blk[i] != NULL && c >= size && c - size <= c / 4 &&
                (best < 0 || c < nn_blk.cap[best]))
                best = i;
        }
        if (best >= 0) {
            blk = nn_blk.blk[best];
            *cap = nn_blk.cap[best];
            nn_blk.blk[best] = NULL;
            nn_blk.bytes -= *cap;
        }
        pthread_mutex_unlock(&nn_blk.mtx);
        if (blk != NULL)
            return blk;
    }
    blk = malloc(size);
    *cap = size;
    return blk;
}

void nn_blk_free(void *blk, size_t cap)
{
    void *old = NULL;
    int slot;

    if (blk == NULL)
        return;
    if (!NN_BLK_ON || cap < NN_BLK_MIN || cap > NN_BLK_MAX) {
        free(blk);
        return;
    }
    pthread_mutex_lock(&nn_blk.mtx);
    slot = nn_blk.next;
    old = nn_blk.blk[slot];
    /* Kept only if it fits once the oldest block is gone. */
    if (nn_blk.bytes - (old != NULL ? nn_blk.cap[slot] : 0) + cap <=
        NN_BLK_BYTES) {
        if (old != NULL)
            nn_blk.bytes -= nn_blk.cap[slot];
        nn_blk.next = (slot + 1) % NN_BLK_SLOTS;
        nn_blk.blk[slot] = blk;
        nn_blk.cap[slot] = cap;
        nn_blk.bytes += cap;
        blk = NULL;
    } else {
        old = NULL;
    }
    pthread_mutex_unlock(&nn_blk.mtx);
    free(old);
    free(blk);
}

void nn_blk_flush(void)
{
    void *gone[NN_BLK_SLOTS];

    pthread_mutex_lock(&nn_blk.mtx);
    for (int i = 0; i < NN_BLK_SLOTS; i++) {
        gone[i] = nn_blk.blk[i];
        nn_blk.blk[i] = NULL;
    }
    nn_blk.bytes = 0;
    pthread_mutex_unlock(&nn_blk.mtx);
    for (int i = 0; i < NN_BLK_SLOTS; i++)
        free(gone[i]);
}
