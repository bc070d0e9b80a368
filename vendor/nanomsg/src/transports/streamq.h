/* The outbound queue of a stream connection: framed messages the kernel
   has not (fully) taken yet, written with gathered writes. It has no lock
   of its own: the connection's lock guards it. */
#ifndef NN_TRANSPORTS_STREAMQ_H
#define NN_TRANSPORTS_STREAMQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "../core/msg.h"
#include "streamcodec.h"

/* One message on the wire: prefix, SP header, body. */
struct nn_sq_item {
    struct nn_msg m;
    uint8_t pfx[NN_SC_PFX_MAX];
    uint8_t pfxlen;
};

struct nn_sq {
    struct nn_sq_item *v;   /* ring */
    size_t cap;
    size_t head;
    size_t len;             /* messages */
    size_t off;             /* bytes of the head message already written */
    size_t bytes;           /* bytes queued and not yet written */
};

/* Frame message *m (taken) for the ipc or tcp wire. */
void nn_sq_frame(struct nn_sq_item *e, const struct nn_msg *m, int ipc);
/* Its size on the wire. */
size_t nn_sq_total(const struct nn_sq_item *e);
/* Append iovecs (at most 3) for e minus its first `skip` bytes; returns the
   bytes they cover. */
size_t nn_sq_gather(struct nn_sq_item *e, size_t skip, struct iovec *iov,
                    int *cnt);
/* One gathered, non-blocking write without SIGPIPE: bytes or -errno
   (-EAGAIN when the kernel is full). */
ssize_t nn_sq_write(int fd, struct iovec *iov, int cnt);

void nn_sq_init(struct nn_sq *q);
/* Drops whatever is queued. */
void nn_sq_term(struct nn_sq *q);
/* Queue e, of which `off` bytes were already written; a borrowed body is
   copied (the queue's copy owns it; e is left as it was). 0 or -ENOMEM. */
int nn_sq_push(struct nn_sq *q, const struct nn_sq_item *e, size_t off);
/* Write until empty or the kernel is full: 0, or -errno when the stream
   is broken. */
int nn_sq_flush(struct nn_sq *q, int fd);
/* Put what `front` still holds before everything in `q` (which has no
   partly written message); `front` is left empty. 0 or -ENOMEM (then
   nothing moved). */
int nn_sq_prepend(struct nn_sq *q, struct nn_sq *front);

#endif
