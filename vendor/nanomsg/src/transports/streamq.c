/* Outbound queue of a stream connection (see streamq.h). */
#include "streamq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../utils/netcompat.h"

/* iovec entries per gathered write (at most 3 per message). */
#define NN_SQ_IOV 240

void nn_sq_frame(struct nn_sq_item *e, const struct nn_msg *m, int ipc)
{
    e->m = *m;
    e->pfxlen = (uint8_t) nn_sc_prefix(e->pfx, ipc,
                                       e->m.hdrlen + nn_msg_bodylen(&e->m));
}

size_t nn_sq_total(const struct nn_sq_item *e)
{
    return e->pfxlen + e->m.hdrlen + nn_msg_bodylen(&e->m);
}

/* Append the part of segment [p, p+len) not covered by *skip. */
static void nn_sq_seg(struct iovec *iov, int *cnt, void *p, size_t len,
                      size_t *skip)
{
    if (*skip >= len) {
        *skip -= len;
        return;
    }
    iov[*cnt].iov_base = (uint8_t *) p + *skip;
    iov[*cnt].iov_len = len - *skip;
    (*cnt)++;
    *skip = 0;
}

size_t nn_sq_gather(struct nn_sq_item *e, size_t skip, struct iovec *iov,
                    int *cnt)
{
    size_t total = nn_sq_total(e) - skip;

    nn_sq_seg(iov, cnt, e->pfx, e->pfxlen, &skip);
    if (e->m.hdrlen > 0)
        nn_sq_seg(iov, cnt, nn_msg_hdr(&e->m), e->m.hdrlen, &skip);
    if (nn_msg_bodylen(&e->m) > 0)
        nn_sq_seg(iov, cnt, (void *) nn_msg_bytes(&e->m),
                  nn_msg_bodylen(&e->m), &skip);
    return total;
}

ssize_t nn_sq_write(int fd, struct iovec *iov, int cnt)
{
    struct msghdr mh;
    ssize_t n;

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t) cnt;
    do {
        /* A vanished peer is an error, never SIGPIPE. */
        n = nn_sendmsg_nosig(fd, &mh);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    return n;
}

void nn_sq_init(struct nn_sq *q)
{
    memset(q, 0, sizeof(*q));
}

void nn_sq_term(struct nn_sq *q)
{
    while (q->len > 0) {
        nn_msg_term(&q->v[q->head].m);
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    free(q->v);
    nn_sq_init(q);
}

int nn_sq_push(struct nn_sq *q, const struct nn_sq_item *e, size_t off)
{
    struct nn_sq_item *nv;
    size_t ncap;
    size_t i;

    if (q->len == q->cap) {
        ncap = q->cap ? q->cap * 2 : 16;
        nv = malloc(ncap * sizeof(*nv));
        if (nv == NULL)
            return -ENOMEM;
        for (i = 0; i < q->len; i++)
            nv[i] = q->v[(q->head + i) % q->cap];
        free(q->v);
        q->v = nv;
        q->cap = ncap;
        q->head = 0;
    }
    /* Queued: past the sender's call, so the body must be ours. */
    q->v[(q->head + q->len) % q->cap] = *e;
    if (nn_msg_own(&q->v[(q->head + q->len) % q->cap].m) != 0)
        return -ENOMEM;
    if (q->len == 0)
        q->off = off;
    q->len++;
    q->bytes += nn_sq_total(e) - off;
    return 0;
}

/* The kernel took n bytes from the front. */
static void nn_sq_consume(struct nn_sq *q, size_t n)
{
    struct nn_sq_item *e;
    size_t rem;

    q->bytes -= n;
    while (n > 0) {
        e = &q->v[q->head];
        rem = nn_sq_total(e) - q->off;
        if (n < rem) {
            q->off += n;
            return;
        }
        n -= rem;
        nn_msg_term(&e->m);
        q->head = (q->head + 1) % q->cap;
        q->len--;
        q->off = 0;
    }
}

int nn_sq_flush(struct nn_sq *q, int fd)
{
    struct iovec iov[NN_SQ_IOV];
    size_t total;
    size_t skip;
    size_t i;
    ssize_t n;
    int cnt;

    while (q->len > 0) {
        cnt = 0;
        total = 0;
        skip = q->off;
        for (i = 0; i < q->len && cnt + 3 <= NN_SQ_IOV; i++) {
            total += nn_sq_gather(&q->v[(q->head + i) % q->cap], skip, iov,
                                  &cnt);
            skip = 0;
        }
        n = nn_sq_write(fd, iov, cnt);
        if (n == -EAGAIN)
            return 0;
        if (n < 0)
            return (int) n;
        nn_sq_consume(q, (size_t) n);
        if ((size_t) n < total)
            return 0;
    }
    return 0;
}

int nn_sq_prepend(struct nn_sq *q, struct nn_sq *front)
{
    struct nn_sq_item *nv;
    size_t ncap = 16;
    size_t i;

    if (front->len == 0) {
        nn_sq_term(front);
        return 0;
    }
    if (q->len == 0) {
        free(q->v);
        *q = *front;
        nn_sq_init(front);
        return 0;
    }
    while (ncap < front->len + q->len)
        ncap *= 2;
    nv = malloc(ncap * sizeof(*nv));
    if (nv == NULL)
        return -ENOMEM;
    for (i = 0; i < front->len; i++)
        nv[i] = front->v[(front->head + i) % front->cap];
    for (i = 0; i < q->len; i++)
        nv[front->len + i] = q->v[(q->head + i) % q->cap];
    free(q->v);
    free(front->v);
    q->v = nv;
    q->cap = ncap;
    q->head = 0;
    q->len += front->len;
    q->off = front->off;
    q->bytes += front->bytes;
    nn_sq_init(front);
    return 0;
}
