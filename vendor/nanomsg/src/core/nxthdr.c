/* nxthdr.c - nn_cmsg_nxthdr_, the walker behind NN_CMSG_FIRSTHDR/NXTHDR. */
#include "../../include/nanomsg/nn.h"
#include "chunk.h"

#include <stdint.h>
#include <string.h>

/* The user's control buffer may be any char array, so header fields are
   read with memcpy rather than through a possibly misaligned pointer. */
static size_t nn_cmsg_len_at(const unsigned char *at)
{
    size_t len;

    memcpy(&len, at + offsetof(struct nn_cmsghdr, cmsg_len), sizeof len);
    return len;
}

/* NN_CMSG_ALIGN_ that reports wrap-around (as SIZE_MAX, never a fit). */
static size_t nn_cmsg_align(size_t len)
{
    if (len > SIZE_MAX - (sizeof(size_t) - 1))
        return SIZE_MAX;
    return NN_CMSG_ALIGN_(len);
}

struct nn_cmsghdr *nn_cmsg_nxthdr_(const struct nn_msghdr *mhdr,
                                   const struct nn_cmsghdr *cmsg)
{
    const unsigned char *buf;
    size_t buflen;
    size_t off;
    size_t step;
    size_t len;

    if (mhdr == NULL)
        return NULL;

    /* NN_MSG: msg_control holds the address of a library-allocated chunk. */
    if (mhdr->msg_controllen == NN_MSG) {
        const void *chunk;

        if (mhdr->msg_control == NULL)
            return NULL;
        memcpy(&chunk, mhdr->msg_control, sizeof chunk);
        if (!nn_chunk_check(chunk))
            return NULL;
        buf = chunk;
        buflen = nn_chunk_size(chunk);
    } else {
        buf = mhdr->msg_control;
        buflen = mhdr->msg_controllen;
    }
    if (buf == NULL || buflen < NN_CMSG_SPACE(0))
        return NULL;

    if (cmsg == NULL) {
        off = 0;
    } else {
        /* Integer arithmetic: a pointer outside the buffer yields an offset
           beyond buflen (rejected below) instead of undefined behaviour. */
        off = (uintptr_t) cmsg - (uintptr_t) buf;
        if (off > buflen || buflen - off < NN_CMSG_SPACE(0))
            return NULL;
        step = nn_cmsg_align(nn_cmsg_len_at((const unsigned char *) cmsg));
        /* A header shorter than itself would make the walk spin forever. */
        if (step < NN_CMSG_SPACE(0) || step > buflen - off)
            return NULL;
        off += step;
    }

    if (off > buflen || buflen - off < NN_CMSG_SPACE(0))
        return NULL;
    len = nn_cmsg_len_at(buf + off);
    if (nn_cmsg_align(len) > buflen - off)
        return NULL;
    return (struct nn_cmsghdr *) (buf + off);
}
