/* A message in flight: an SP header (a few 32-bit words, kept apart from the
   body so protocols can push and pop words without touching the body) and a
   body held in a reference-counted chunk, so fan-out shares one body.

   A message nn_send builds from the caller's buffer starts out *borrowed*:
   no chunk, just the caller's bytes, valid until nn_send returns. A stream
   connection that writes it to the kernel at once never copies it. Whatever
   keeps or shares a message (queues, REQ's copy for resending, fan-out)
   calls nn_msg_own first. */
#ifndef NN_CORE_MSG_H
#define NN_CORE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "chunk.h"

/* Headers up to this size live inside the message; request/reply stacks
   that grow through many devices spill to the heap. */
#define NN_MSG_HDR_INLINE 24

struct nn_msg {
    void *body;        /* chunk data pointer; NULL while borrowed */
    const void *src;   /* borrowed: the sender's bytes, or NULL */
    size_t srclen;
    uint8_t *hdrheap;  /* header bytes when longer than NN_MSG_HDR_INLINE */
    size_t hdrlen;
    uint8_t hdrbuf[NN_MSG_HDR_INLINE];
    int wsop;          /* ws opcode property (1, 2, 9, 10) or 0 for none */
};

/* Fresh message with an uninitialised body of `len` bytes; -ENOMEM. */
int nn_msg_init(struct nn_msg *m, size_t len);
/* Fresh message adopting the chunk `body` (the caller's reference). */
void nn_msg_init_chunk(struct nn_msg *m, void *body);
/* Fresh message borrowing `len` bytes at `buf` (see above). */
void nn_msg_init_borrowed(struct nn_msg *m, const void *buf, size_t len);
/* A borrowed body copied into a chunk of the message's own (no-op
   otherwise). 0 or -ENOMEM (then the message is unchanged). */
int nn_msg_own(struct nn_msg *m);
void nn_msg_term(struct nn_msg *m);
/* Copy of `src` sharing its body (owned first); -ENOMEM. */
int nn_msg_dup(struct nn_msg *dst, struct nn_msg *src);

static inline uint8_t *nn_msg_hdr(struct nn_msg *m)
{
    return m->hdrheap ? m->hdrheap : m->hdrbuf;
}
static inline size_t nn_msg_bodylen(const struct nn_msg *m)
{
    if (m->src)
        return m->srclen;
    return m->body ? nn_chunk_size(m->body) : 0;
}
/* The body's bytes, borrowed or owned, for reading. */
static inline const void *nn_msg_bytes(const struct nn_msg *m)
{
    return m->src ? m->src : m->body;
}

/* Replace the header with a copy of `len` bytes at `hdr`; -ENOMEM. */
int nn_msg_set_hdr(struct nn_msg *m, const void *hdr, size_t len);
/* Prepend / remove `len` bytes at the front of the header. */
int nn_msg_hdr_push(struct nn_msg *m, const void *bytes, size_t len);
void nn_msg_hdr_pop(struct nn_msg *m, size_t len);
/* Move the first `len` bytes of the body to the end of the header (used to
   split a wire payload into SP header and body); -ENOMEM. */
int nn_msg_body_to_hdr(struct nn_msg *m, size_t len);

/* Payload view used by receiving protocols. A message coming off a pipe
   holds its wire payload as header||body: from stream transports the
   header is empty, over inproc it is what the sender put there. */
size_t nn_msg_payload_len(const struct nn_msg *m);
/* 32-bit big-endian word `i` of header||body; the caller checks length. */
uint32_t nn_msg_payload_word(struct nn_msg *m, size_t i);
/* Make the header exactly the first `n` bytes of header||body (n <= payload
   length). 0 or -ENOMEM. */
int nn_msg_split(struct nn_msg *m, size_t n);

/* Big-endian 32-bit word helpers for SP headers. */
static inline uint32_t nn_get_u32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
           ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}
static inline void nn_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}

#endif
