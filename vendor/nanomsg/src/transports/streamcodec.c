/* Stream transport codec (see streamcodec.h). */
#include "streamcodec.h"

#include <string.h>

#include "../core/chunk.h"

void nn_sc_hdr_build(uint8_t out[NN_SC_HDR_LEN], int type)
{
    out[0] = 0x00;
    out[1] = 'S';
    out[2] = 'P';
    out[3] = 0x00;
    out[4] = (uint8_t) ((unsigned) type >> 8);
    out[5] = (uint8_t) type;
    out[6] = 0x00;
    out[7] = 0x00;
}

int nn_sc_hdr_parse(const uint8_t in[NN_SC_HDR_LEN])
{
    if (in[0] != 0x00 || in[1] != 'S' || in[2] != 'P' || in[3] != 0x00)
        return -1;
    return (int) (((unsigned) in[4] << 8) | in[5]);
}

static void nn_sc_put_u64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t) v;
        v >>= 8;
    }
}

static uint64_t nn_sc_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

size_t nn_sc_prefix(uint8_t out[NN_SC_PFX_MAX], int ipc, uint64_t len)
{
    if (!ipc) {
        nn_sc_put_u64(out, len);
        return 8;
    }
    out[0] = NN_SC_IPC_MSG;
    nn_sc_put_u64(out + 1, len);
    return 9;
}

void nn_sc_dec_init(struct nn_sc_dec *d, int ipc)
{
    memset(d, 0, sizeof(*d));
    d->ipc = ipc;
    d->pfxlen = ipc ? 9 : 8;
}

void nn_sc_dec_term(struct nn_sc_dec *d)
{
    if (d->chunk != NULL)
        nn_chunk_unref(d->chunk);
    d->chunk = NULL;
    d->cap = 0;
}

static int nn_sc_in_payload(const struct nn_sc_dec *d)
{
    return d->pfxgot == d->pfxlen && !d->done;
}

uint64_t nn_sc_dec_missing(const struct nn_sc_dec *d)
{
    return nn_sc_in_payload(d) ? d->len - d->got : 0;
}

/* Make room for at least one more payload byte (and `want` if possible)
   without ever exceeding the announced length. */
static int nn_sc_grow(struct nn_sc_dec *d, uint64_t want)
{
    uint64_t target;
    void *p;

    if (d->got + want <= d->cap)
        return 0;
    target = (uint64_t) d->cap * 2;
    if (target < NN_SC_EAGER)
        target = NN_SC_EAGER;
    if (target < d->got + want)
        target = d->got + want;
    if (target > d->len)
        target = d->len;
    p = d->chunk == NULL ? nn_chunk_alloc((size_t) target)
                         : nn_chunk_resize(d->chunk, (size_t) target);
    if (p == NULL)
        return -1;
    d->chunk = p;
    d->cap = (size_t) target;
    return 0;
}

/* The prefix is complete: validate it and set up the payload. */
static int nn_sc_start_payload(struct nn_sc_dec *d, int64_t maxsize)
{
    const uint8_t *lenp = d->pfx;

    if (d->ipc) {
        if (d->pfx[0] != NN_SC_IPC_MSG)
            return NN_SC_EPROTO;
        lenp++;
    }
    d->len = nn_sc_get_u64(lenp);
    d->got = 0;
    if (maxsize >= 0 && d->len > (uint64_t) maxsize)
        return NN_SC_ETOOBIG;
    /* A length no chunk could hold is as fatal as one above the limit. */
    if (d->len > (uint64_t) (SIZE_MAX / 2))
        return NN_SC_ETOOBIG;
    if (d->len == 0) {
        d->chunk = nn_chunk_alloc(0);
        if (d->chunk == NULL)
            return NN_SC_ENOMEM;
        d->done = 1;
        return NN_SC_MSG;
    }
    if (d->len <= NN_SC_EAGER && nn_sc_grow(d, d->len) < 0)
        return NN_SC_ENOMEM;
    return NN_SC_MORE;
}

int nn_sc_dec_feed(struct nn_sc_dec *d, const uint8_t *in, size_t len,
                   int64_t maxsize, size_t *used)
{
    size_t pos = 0;
    size_t n;
    int rc;

    *used = 0;
    if (d->done)
        return NN_SC_MSG;
    if (d->pfxgot < d->pfxlen) {
        n = (size_t) (d->pfxlen - d->pfxgot);
        if (n > len)
            n = len;
        memcpy(d->pfx + d->pfxgot, in, n);
        d->pfxgot = (uint8_t) (d->pfxgot + n);
        pos = n;
        if (d->pfxgot < d->pfxlen) {
            *used = pos;
            return NN_SC_MORE;
        }
        rc = nn_sc_start_payload(d, maxsize);
        if (rc != NN_SC_MORE) {
            *used = pos;
            return rc;
        }
    }
    n = len - pos;
    if (n > d->len - d->got)
        n = (size_t) (d->len - d->got);
    if (n > 0) {
        if (nn_sc_grow(d, n) < 0) {
            *used = pos;
            return NN_SC_ENOMEM;
        }
        memcpy(d->chunk + d->got, in + pos, n);
        d->got += n;
        pos += n;
    }
    *used = pos;
    if (d->got == d->len) {
        d->done = 1;
        return NN_SC_MSG;
    }
    return NN_SC_MORE;
}

void *nn_sc_dec_take(struct nn_sc_dec *d)
{
    void *chunk = d->chunk;

    d->chunk = NULL;
    d->cap = 0;
    d->pfxgot = 0;
    d->done = 0;
    d->len = 0;
    d->got = 0;
    return chunk;
}

uint8_t *nn_sc_dec_space(struct nn_sc_dec *d, size_t *room)
{
    uint64_t missing = nn_sc_dec_missing(d);

    *room = 0;
    if (missing == 0)
        return NULL;
    if (d->got == d->cap && nn_sc_grow(d, 1) < 0)
        return NULL;
    *room = d->cap - (size_t) d->got;
    return d->chunk + d->got;
}

int nn_sc_dec_commit(struct nn_sc_dec *d, size_t n)
{
    d->got += n;
    if (d->got == d->len) {
        d->done = 1;
        return NN_SC_MSG;
    }
    return NN_SC_MORE;
}
