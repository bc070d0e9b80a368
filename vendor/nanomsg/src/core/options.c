/* nn_setsockopt / nn_getsockopt dispatch and the generic option table.
   Protocols check their own options (proto->setopt); transports declare
   theirs (struct nn_topt) and the values are kept here, per socket. */
#include <errno.h>
#include <string.h>

#include "../../include/nanomsg/nn.h"
#include "sock.h"

enum { RO = 1 };   /* read-only: set gives ENOPROTOOPT */

struct intopt {
    int level, option;
    size_t off;        /* into struct nn_sockopts; (size_t)-1: computed */
    int min, max;
    int flags;
    int exact_len;     /* setsockopt needs optvallen == sizeof(int) */
};

#define OFF(f) offsetof(struct nn_sockopts, f)
#define COMPUTED ((size_t) -1)

static const struct intopt intopts[] = {
    { NN_SOL_SOCKET, NN_LINGER, COMPUTED, -0x7fffffff - 1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_SNDBUF, OFF(sndbuf), 1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_RCVBUF, OFF(rcvbuf), 1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_SNDTIMEO, OFF(sndtimeo), -0x7fffffff - 1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_RCVTIMEO, OFF(rcvtimeo), -0x7fffffff - 1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_RECONNECT_IVL, OFF(reconnect_ivl), 0, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, OFF(reconnect_ivl_max), 0, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_SNDPRIO, OFF(sndprio), 1, 16, 0, 1 },
    { NN_SOL_SOCKET, NN_RCVPRIO, OFF(rcvprio), 1, 16, 0, 1 },
    { NN_SOL_SOCKET, NN_SNDFD, COMPUTED, 0, 0, RO, 1 },
    { NN_SOL_SOCKET, NN_RCVFD, COMPUTED, 0, 0, RO, 1 },
    { NN_SOL_SOCKET, NN_DOMAIN, COMPUTED, 0, 0, RO, 1 },
    { NN_SOL_SOCKET, NN_PROTOCOL, COMPUTED, 0, 0, RO, 1 },
    { NN_SOL_SOCKET, NN_IPV4ONLY, OFF(ipv4only), 0, 1, 0, 1 },
    { NN_SOL_SOCKET, NN_RCVMAXSIZE, OFF(rcvmaxsize), -1, 0x7fffffff, 0, 1 },
    { NN_SOL_SOCKET, NN_MAXTTL, OFF(maxttl), 1, 255, 0, 1 },
};

static const struct intopt *intopt_find(int level, int option)
{
    for (size_t i = 0; i < sizeof(intopts) / sizeof(intopts[0]); i++)
        if (intopts[i].level == level && intopts[i].option == option)
            return &intopts[i];
    return NULL;
}

static int *intopt_slot(struct nn_sock *s, const struct intopt *o)
{
    return (int *) (void *) ((char *) &s->opt + o->off);
}

/* Copy an int out the way the reference does: at most *len bytes, then
   report the full size. */
static void put_int(void *val, size_t *len, int v)
{
    size_t n = *len < sizeof(int) ? *len : sizeof(int);
    memcpy(val, &v, n);
    *len = sizeof(int);
}

int nn_sock_getopt_int(struct nn_sock *s, int level, int option)
{
    const struct nn_topt *t;
    int slot = nn_topt_find(level, option, &t);
    if (slot >= 0 && t->kind == NN_TOPT_INT) {
        nn_sock_lock(s);
        int v = (int) s->opt.topt[slot];
        nn_sock_unlock(s);
        return v;
    }
    const struct intopt *o = intopt_find(level, option);
    if (!o || o->off == COMPUTED)
        return 0;
    nn_sock_lock(s);
    int v = *intopt_slot(s, o);
    nn_sock_unlock(s);
    return v;
}

/* A transport's own option: set (val, len) or get (into val, *len). */
static int topt_set(struct nn_sock *s, int slot, const struct nn_topt *t,
                    const void *val, size_t len)
{
    intptr_t v;
    if (t->kind == NN_TOPT_PTR) {
        if (len < sizeof(int))
            return -EINVAL;
        v = (intptr_t) val;
    } else {
        int i;
        if (t->exact_len ? len != sizeof(int) : len < sizeof(int))
            return -EINVAL;
        memcpy(&i, val, sizeof(i));
        if (i < t->min || i > t->max)
            return -EINVAL;
        v = i;
    }
    nn_sock_lock(s);
    s->opt.topt[slot] = v;
    nn_sock_unlock(s);
    return 0;
}

static int topt_get(struct nn_sock *s, int slot, const struct nn_topt *t,
                    void *val, size_t *len)
{
    nn_sock_lock(s);
    intptr_t v = s->opt.topt[slot];
    nn_sock_unlock(s);
    if (t->kind == NN_TOPT_PTR) {
        void *p = (void *) v;
        memcpy(val, &p, *len < sizeof(p) ? *len : sizeof(p));
        *len = sizeof(p);
    } else {
        put_int(val, len, (int) v);
    }
    return 0;
}

int nn_sock_setopt(struct nn_sock *s, int level, int option,
                   const void *val, size_t len)
{
    int rc = -ENOPROTOOPT;
    if (!val && len)
        return -EFAULT;

    if (level > 0) {
        nn_sock_lock(s);
        if (level == s->type && s->proto->setopt)
            rc = s->proto->setopt(s->pst, option, val, len);
        nn_sock_unlock(s);
        return rc;
    }
    if (level == NN_SOL_SOCKET && option == NN_SOCKET_NAME) {
        if (len >= NN_SOCK_NAME_MAX)
            return -EINVAL;
        nn_sock_lock(s);
        if (len)
            memcpy(s->opt.name, val, len);
        s->opt.name[len] = '\0';
        nn_sock_unlock(s);
        return 0;
    }
    if (level != NN_SOL_SOCKET) {
        const struct nn_topt *t;
        int slot = nn_topt_find(level, option, &t);
        return slot < 0 ? -ENOPROTOOPT : topt_set(s, slot, t, val, len);
    }
    const struct intopt *o = intopt_find(level, option);
    if (!o)
        return -ENOPROTOOPT;
    if (o->flags & RO)
        return -ENOPROTOOPT;
    if (o->exact_len ? len != sizeof(int) : len < sizeof(int))
        return -EINVAL;
    int v;
    memcpy(&v, val, sizeof(v));
    if (v < o->min || v > o->max)
        return -EINVAL;
    if (o->off == COMPUTED)   /* NN_LINGER: accepted and ignored */
        return 0;
    nn_sock_lock(s);
    *intopt_slot(s, o) = v;
    nn_sock_unlock(s);
    return 0;
}

int nn_sock_getopt(struct nn_sock *s, int level, int option,
                   void *val, size_t *len)
{
    int rc = -ENOPROTOOPT;
    if (len && !val)
        return -EFAULT;
    if (!len)
        return -EFAULT;

    if (level > 0) {
        nn_sock_lock(s);
        if (level == s->type && s->proto->getopt)
            rc = s->proto->getopt(s->pst, option, val, len);
        nn_sock_unlock(s);
        return rc;
    }
    if (level == NN_SOL_SOCKET && option == NN_SOCKET_NAME) {
        nn_sock_lock(s);
        size_t n = strlen(s->opt.name);
        memcpy(val, s->opt.name, n < *len ? n : *len);
        *len = n;
        nn_sock_unlock(s);
        return 0;
    }
    if (level != NN_SOL_SOCKET) {
        const struct nn_topt *t;
        int slot = nn_topt_find(level, option, &t);
        return slot < 0 ? -ENOPROTOOPT : topt_get(s, slot, t, val, len);
    }
    const struct intopt *o = intopt_find(level, option);
    if (!o)
        return -ENOPROTOOPT;

    int v;
    switch (o->off == COMPUTED ? option : -1) {
    case NN_LINGER:
        v = 0;
        break;
    case NN_SNDFD:
    case NN_RCVFD: {
        int dir = option == NN_SNDFD ? NN_EV_OUT : NN_EV_IN;
        if (dir == NN_EV_OUT ? !s->proto->send : !s->proto->recv)
            return -ENOPROTOOPT;
        v = nn_sock_fd(s, dir);
        if (v < 0)
            return v;
        break;
    }
    case NN_DOMAIN:
        v = s->domain;
        break;
    case NN_PROTOCOL:
        v = s->type;
        break;
    default:
        nn_sock_lock(s);
        v = *intopt_slot(s, o);
        nn_sock_unlock(s);
        break;
    }
    /* (The reference's ipc getter writes a whole int whatever the buffer
       size; we never write past the caller's buffer.) */
    put_int(val, len, v);
    return 0;
}
