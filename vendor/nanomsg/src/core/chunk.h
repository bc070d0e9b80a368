/*
 * chunk.h - reference-counted message buffers.
 *
 * A chunk is one heap block: a hidden header (reference count, size) and a
 * small trailer (offset back to the header, tag) in front of the data.
 * Every function takes and returns the data pointer, so a chunk can be
 * handed to users as-is (nn_allocmsg, NN_MSG receive) and shared between
 * pipes without copying (fan-out bumps the count).
 */
#ifndef NN_CHUNK_H_INCLUDED
#define NN_CHUNK_H_INCLUDED

#include <stddef.h>

/* New chunk with `size` usable bytes and one reference; the data is
   aligned for max_align_t.  NULL with errno ENOMEM when the size overflows
   or memory runs out. */
void *nn_chunk_alloc(size_t size);

/* Adds one reference; safe from any thread. */
void nn_chunk_ref(void *p);

/* Drops one reference; the chunk is freed when the last one goes. */
void nn_chunk_unref(void *p);

/* Number of usable bytes. */
size_t nn_chunk_size(const void *p);

/* 1 if `p` carries a live chunk's tag, 0 otherwise (and for NULL).
   Only a heuristic for rejecting foreign pointers: it reads the bytes
   just before `p`. */
int nn_chunk_check(const void *p);

/* realloc for chunks.  Shrinking a chunk we own alone keeps the pointer;
   otherwise the data may move and the old pointer must not be used again.
   On failure returns NULL with errno ENOMEM and `p` is untouched. */
void *nn_chunk_resize(void *p, size_t size);

/* Drops the first `n` bytes (at most the whole size) and returns the new
   data pointer, which is no longer max_align_t aligned.  A chunk we own
   alone is trimmed in place (the dropped bytes get clobbered: read them
   first); a shared one is copied so the other holders keep their view.  On failure returns NULL with errno ENOMEM and `p` is
   untouched. */
void *nn_chunk_trim(void *p, size_t n);

#endif /* NN_CHUNK_H_INCLUDED */
