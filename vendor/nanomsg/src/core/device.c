/* nn_device: forward messages between two raw sockets (or loop one back
   into itself) until a socket fails. */
#include <errno.h>
#include <pthread.h>

#include "../../include/nanomsg/nn.h"
#include "sock.h"

/* Which directions a socket supports, read from its protocol. */
static int sock_caps(int h, int *can_recv, int *can_send, int *type)
{
    struct nn_sock *s = nn_sock_acquire(h);
    if (!s)
        return -EBADF;
    int raw = s->domain == AF_SP_RAW;
    *can_recv = s->proto->recv != NULL;
    *can_send = s->proto->send != NULL;
    *type = s->type;
    nn_sock_release(s);
    return raw ? 0 : -EINVAL;
}

/* Move messages from s1 to s2 until an error; returns that errno. */
static int forward(int from, int to)
{
    for (;;) {
        void *body = NULL, *ctl = NULL;
        struct nn_iovec iov = { &body, NN_MSG };
        struct nn_msghdr hdr = { &iov, 1, &ctl, NN_MSG };
        if (nn_recvmsg(from, &hdr, 0) < 0)
            return errno;
        if (nn_sendmsg(to, &hdr, 0) < 0) {
            int e = errno;
            nn_freemsg(body);
            nn_freemsg(ctl);
            return e;
        }
    }
}

struct fwd_args {
    int from, to, err;
};

static void *fwd_thread(void *arg)
{
    struct fwd_args *a = arg;
    a->err = forward(a->from, a->to);
    return NULL;
}

int nn_device(int s1, int s2)
{
    int r1, w1, t1, r2, w2, t2, rc;

    if (s1 < 0 && s2 < 0) {
        errno = EBADF;
        return -1;
    }
    if (s1 < 0 || s2 < 0) {
        int s = s1 < 0 ? s2 : s1;
        rc = sock_caps(s, &r1, &w1, &t1);
        if (rc != 0) {
            errno = -rc;
            return -1;
        }
        errno = forward(s, s);
        return -1;
    }
    if ((rc = sock_caps(s1, &r1, &w1, &t1)) != 0 ||
        (rc = sock_caps(s2, &r2, &w2, &t2)) != 0) {
        errno = -rc;
        return -1;
    }
    if (t1 / 16 != t2 / 16 || (r1 && !w2) || (r2 && !w1) || (!r1 && !r2)) {
        errno = EINVAL;
        return -1;
    }
    if (r1 && r2) {
        /* Both directions: the second in a thread of its own. */
        struct fwd_args back = { s2, s1, 0 };
        pthread_t t;
        if ((rc = pthread_create(&t, NULL, fwd_thread, &back)) != 0) {
            errno = rc;
            return -1;
        }
        int e = forward(s1, s2);
        pthread_join(t, NULL);
        errno = e;
        return -1;
    }
    errno = r1 ? forward(s1, s2) : forward(s2, s1);
    return -1;
}
