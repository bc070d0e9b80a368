#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int nn_msg_init(struct nn_msg *m, size_t len)
{
    void *body = nn_chunk_alloc(len);
    if (!body)
        return -ENOMEM;
    nn_msg_init_chunk(m, body);
    return 0;
}

void nn_msg_init_chunk(struct nn_msg *m, void *body)
{
    m->body = body;
    m->src = NULL;
    m->srclen = 0;
    m->hdrheap = NULL;
    m->hdrlen = 0;
    m->wsop = 0;
}

void nn_msg_init_borrowed(struct nn_msg *m, const void *buf, size_t len)
{
    nn_msg_init_chunk(m, NULL);
    m->src = buf;
    m->srclen = len;
}

int nn_msg_own(struct nn_msg *m)
{
    void *body;

    if (!m->src)
        return 0;
    body = nn_chunk_alloc(m->srclen);
    if (!body)
        return -ENOMEM;
    memcpy(body, m->src, m->srclen);
    m->body = body;
    m->src = NULL;
    m->srclen = 0;
    return 0;
}

void nn_msg_term(struct nn_msg *m)
{
    if (m->body)
        nn_chunk_unref(m->body);
    free(m->hdrheap);
    m->body = NULL;
    m->src = NULL;
    m->srclen = 0;
    m->hdrheap = NULL;
    m->hdrlen = 0;
}

int nn_msg_dup(struct nn_msg *dst, struct nn_msg *src)
{
    if (nn_msg_own(src) != 0)
        return -ENOMEM;
    nn_msg_init_chunk(dst, src->body);
    dst->wsop = src->wsop;
    if (nn_msg_set_hdr(dst, src->hdrheap ? src->hdrheap : src->hdrbuf,
                       src->hdrlen) != 0) {
        dst->body = NULL;   /* no reference was taken */
        return -ENOMEM;
    }
    nn_chunk_ref(src->body);
    return 0;
}

/* Make room for a header of `len` bytes, keeping the first `keep` bytes of
   the current one in place. */
static int hdr_reserve(struct nn_msg *m, size_t len, size_t keep)
{
    if (len <= NN_MSG_HDR_INLINE) {
        if (m->hdrheap) {
            memcpy(m->hdrbuf, m->hdrheap, keep);
            free(m->hdrheap);
            m->hdrheap = NULL;
        }
        return 0;
    }
    uint8_t *p = malloc(len);
    if (!p)
        return -ENOMEM;
    memcpy(p, nn_msg_hdr(m), keep);
    free(m->hdrheap);
    m->hdrheap = p;
    return 0;
}

int nn_msg_set_hdr(struct nn_msg *m, const void *hdr, size_t len)
{
    if (hdr_reserve(m, len, 0) != 0)
        return -ENOMEM;
    if (len)
        memcpy(nn_msg_hdr(m), hdr, len);
    m->hdrlen = len;
    return 0;
}

int nn_msg_hdr_push(struct nn_msg *m, const void *bytes, size_t len)
{
    size_t old = m->hdrlen;
    uint8_t tmp[NN_MSG_HDR_INLINE];
    uint8_t *saved = NULL;

    /* Keep a copy of the old header: the reservation may move it. */
    if (old <= NN_MSG_HDR_INLINE) {
        memcpy(tmp, nn_msg_hdr(m), old);
        saved = tmp;
    } else {
        saved = malloc(old);
        if (!saved)
            return -ENOMEM;
        memcpy(saved, m->hdrheap, old);
    }
    int rc = hdr_reserve(m, old + len, 0);
    if (rc == 0) {
        uint8_t *h = nn_msg_hdr(m);
        memcpy(h, bytes, len);
        memcpy(h + len, saved, old);
        m->hdrlen = old + len;
    }
    if (saved != tmp)
        free(saved);
    return rc;
}

void nn_msg_hdr_pop(struct nn_msg *m, size_t len)
{
    uint8_t *h = nn_msg_hdr(m);
    if (len > m->hdrlen)
        len = m->hdrlen;
    memmove(h, h + len, m->hdrlen - len);
    m->hdrlen -= len;
    if (m->hdrheap && m->hdrlen <= NN_MSG_HDR_INLINE)
        hdr_reserve(m, m->hdrlen, m->hdrlen);
}

int nn_msg_body_to_hdr(struct nn_msg *m, size_t len)
{
    if (nn_msg_own(m) != 0)
        return -ENOMEM;
    size_t old = m->hdrlen;
    size_t blen = nn_msg_bodylen(m);
    if (len > blen)
        len = blen;
    if (len == 0)
        return 0;
    if (hdr_reserve(m, old + len, old) != 0)
        return -ENOMEM;
    memcpy(nn_msg_hdr(m) + old, m->body, len);
    m->hdrlen = old + len;
    void *nb = nn_chunk_trim(m->body, len);
    if (!nb) {
        m->hdrlen = old;
        return -ENOMEM;
    }
    m->body = nb;
    return 0;
}

size_t nn_msg_payload_len(const struct nn_msg *m)
{
    return m->hdrlen + nn_msg_bodylen(m);
}

uint32_t nn_msg_payload_word(struct nn_msg *m, size_t i)
{
    size_t off = i * 4;
    uint8_t w[4];
    const uint8_t *h = nn_msg_hdr(m);
    const uint8_t *b = nn_msg_bytes(m);
    for (size_t k = 0; k < 4; k++) {
        size_t o = off + k;
        w[k] = o < m->hdrlen ? h[o] : b[o - m->hdrlen];
    }
    return nn_get_u32(w);
}

int nn_msg_split(struct nn_msg *m, size_t n)
{
    if (nn_msg_own(m) != 0)
        return -ENOMEM;
    if (n >= m->hdrlen)
        return nn_msg_body_to_hdr(m, n - m->hdrlen);

    /* Header bytes beyond n go back in front of the body: a new body. */
    size_t extra = m->hdrlen - n;
    size_t blen = nn_msg_bodylen(m);
    void *nb = nn_chunk_alloc(extra + blen);
    if (!nb)
        return -ENOMEM;
    memcpy(nb, nn_msg_hdr(m) + n, extra);
    memcpy((uint8_t *) nb + extra, m->body, blen);
    nn_chunk_unref(m->body);
    m->body = nb;
    m->hdrlen = n;
    if (m->hdrheap && n <= NN_MSG_HDR_INLINE)
        hdr_reserve(m, n, n);
    return 0;
}
