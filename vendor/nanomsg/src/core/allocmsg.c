/* allocmsg.c - the public face of chunks: nn_allocmsg, nn_reallocmsg,
   nn_freemsg. */
#include "../../include/nanomsg/nn.h"
#include "chunk.h"

void *nn_allocmsg(size_t size, int type)
{
    /* Type 0 is the only allocator that ever existed. */
    if (type != 0) {
        errno = EINVAL;
        return NULL;
    }
    return nn_chunk_alloc(size);
}

void *nn_reallocmsg(void *msg, size_t size)
{
    /* Unlike realloc(), NULL is not a valid message: callers must allocate
       with nn_allocmsg first. */
    if (!nn_chunk_check(msg)) {
        errno = EFAULT;
        return NULL;
    }
    return nn_chunk_resize(msg, size);
}

int nn_freemsg(void *msg)
{
    if (!nn_chunk_check(msg)) {
        errno = EFAULT;
        return -1;
    }
    nn_chunk_unref(msg);
    return 0;
}
