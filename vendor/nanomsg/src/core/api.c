/* The nn_* socket entry points: handle lookup, argument checks, errno. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../../include/nanomsg/nn.h"
#include "../../include/nanomsg/ws.h"
#include "sock.h"

/* Run `expr` (an int, 0 or -errno) with socket `s` held; return -1/errno. */
#define WITH_SOCK(h, s, expr)                         \
    do {                                              \
        struct nn_sock *s = nn_sock_acquire(h);       \
        if (!s)                                       \
            return -1;                                \
        int rc_ = (expr);                             \
        nn_sock_release(s);                           \
        if (rc_ < 0) {                                \
            errno = -rc_;                             \
            return -1;                                \
        }                                             \
        return rc_;                                   \
    } while (0)

static int fail(int negerr)
{
    errno = -negerr;
    return -1;
}

int nn_socket(int domain, int protocol)
{
    int rc = nn_global_socket(domain, protocol);
    return rc < 0 ? fail(rc) : rc;
}

int nn_close(int s)
{
    int rc = nn_global_close(s);
    return rc < 0 ? fail(rc) : 0;
}

void nn_term(void)
{
    nn_global_term();
}

int nn_setsockopt(int h, int level, int option, const void *val, size_t len)
{
    WITH_SOCK(h, s, nn_sock_setopt(s, level, option, val, len));
}

int nn_getsockopt(int h, int level, int option, void *val, size_t *len)
{
    WITH_SOCK(h, s, nn_sock_getopt(s, level, option, val, len));
}

int nn_bind(int h, const char *addr)
{
    WITH_SOCK(h, s, nn_sock_add_ep(s, addr, 1));
}

int nn_connect(int h, const char *addr)
{
    WITH_SOCK(h, s, nn_sock_add_ep(s, addr, 0));
}

int nn_shutdown(int h, int eid)
{
    WITH_SOCK(h, s, nn_sock_rm_ep(s, eid));
}

/* --- sending ----------------------------------------------------------- */

/* Send a message built by the caller; on failure the caller's chunk
   (zero-copy) is handed back untouched. */
static int send_built(int h, struct nn_msg *m, int flags, int zerocopy)
{
    struct nn_sock *s = nn_sock_acquire(h);
    if (!s) {
        if (zerocopy)
            m->body = NULL;
        nn_msg_term(m);
        return -1;
    }
    size_t len = nn_msg_bodylen(m);
    int rc = nn_sock_send(s, m, flags);
    nn_sock_release(s);
    if (rc < 0) {
        if (zerocopy)
            m->body = NULL;
        nn_msg_term(m);
        return fail(rc);
    }
    return (int) len;
}

int nn_send(int h, const void *buf, size_t len, int flags)
{
    struct nn_msg m;
    if (len == NN_MSG) {
        void *chunk = buf ? *(void *const *) buf : NULL;
        if (!chunk)
            return fail(-EFAULT);
        nn_msg_init_chunk(&m, chunk);
        return send_built(h, &m, flags, 1);
    }
    if (!buf && len)
        return fail(-EFAULT);
    if (len == 0) {
        if (nn_msg_init(&m, 0) != 0)
            return fail(-ENOMEM);
    } else {
        /* Copied only if it must outlive this call (see msg.h). */
        nn_msg_init_borrowed(&m, buf, len);
    }
    return send_built(h, &m, flags, 0);
}

/* Apply the control properties of a sendmsg: SP header and ws opcode. */
static int apply_control(struct nn_msg *m, const struct nn_msghdr *hdr)
{
    struct nn_msghdr view = *hdr;
    const struct nn_cmsghdr *c;
    int have_sp = 0;
    for (c = NN_CMSG_FIRSTHDR(&view); c; c = NN_CMSG_NXTHDR(&view, c)) {
        size_t clen;
        memcpy(&clen, &c->cmsg_len, sizeof(clen));
        if (clen < NN_CMSG_LEN(0))
            continue;
        size_t dlen = clen - NN_CMSG_LEN(0);
        const unsigned char *data = NN_CMSG_DATA(c);
        if (c->cmsg_level == PROTO_SP && c->cmsg_type == SP_HDR && !have_sp) {
            size_t n;
            have_sp = 1;
            if (dlen <= sizeof(size_t))
                continue;
            memcpy(&n, data, sizeof(n));
            if (n > dlen - sizeof(size_t))
                continue;
            if (nn_msg_set_hdr(m, data + sizeof(size_t), n) != 0)
                return -ENOMEM;
        } else if (c->cmsg_level == NN_WS && c->cmsg_type == NN_WS_MSG_TYPE &&
                   dlen >= 1) {
            m->wsop = data[0];
        }
    }
    return 0;
}

int nn_sendmsg(int h, const struct nn_msghdr *hdr, int flags)
{
    struct nn_msg m;
    int zerocopy = 0;
    if (!hdr)
        return fail(-EINVAL);
    if (hdr->msg_iovlen < 0)
        return fail(-EMSGSIZE);
    if (hdr->msg_iovlen > 0 && !hdr->msg_iov)
        return fail(-EFAULT);

    if (hdr->msg_iovlen == 1 && hdr->msg_iov[0].iov_len == NN_MSG) {
        void *chunk = hdr->msg_iov[0].iov_base ?
                      *(void **) hdr->msg_iov[0].iov_base : NULL;
        if (!chunk)
            return fail(-EFAULT);
        nn_msg_init_chunk(&m, chunk);
        zerocopy = 1;
    } else {
        size_t total = 0;
        for (int i = 0; i < hdr->msg_iovlen; i++) {
            const struct nn_iovec *v = &hdr->msg_iov[i];
            if (v->iov_len == NN_MSG)
                return fail(-EINVAL);
            if (!v->iov_base && v->iov_len)
                return fail(-EFAULT);
            if (total + v->iov_len < total)
                return fail(-EINVAL);
            total += v->iov_len;
        }
        if (nn_msg_init(&m, total) != 0)
            return fail(-ENOMEM);
        char *dst = m.body;
        for (int i = 0; i < hdr->msg_iovlen; i++) {
            if (hdr->msg_iov[i].iov_len)
                memcpy(dst, hdr->msg_iov[i].iov_base, hdr->msg_iov[i].iov_len);
            dst += hdr->msg_iov[i].iov_len;
        }
    }

    void *ctlchunk = NULL;
    if (hdr->msg_control) {
        if (hdr->msg_controllen == NN_MSG) {
            ctlchunk = *(void **) hdr->msg_control;
            if (!ctlchunk) {
                if (zerocopy)
                    m.body = NULL;
                nn_msg_term(&m);
                return fail(-EFAULT);
            }
        }
        int rc = apply_control(&m, hdr);
        if (rc != 0) {
            if (zerocopy)
                m.body = NULL;
            nn_msg_term(&m);
            return fail(rc);
        }
    }
    int rc = send_built(h, &m, flags, zerocopy);
    /* The control chunk is ours once the message went out. */
    if (rc >= 0 && ctlchunk)
        nn_freemsg(ctlchunk);
    return rc;
}

/* --- receiving --------------------------------------------------------- */

static int recv_msg(int h, struct nn_msg *m, int flags)
{
    struct nn_sock *s = nn_sock_acquire(h);
    if (!s)
        return -1;
    int rc = nn_sock_recv(s, m, flags);
    int raw = s->domain == AF_SP_RAW;
    nn_sock_release(s);
    if (rc < 0)
        return fail(rc);
    if (!raw)
        m->hdrlen = 0;   /* cooked sockets never show a header */
    return 0;
}

int nn_recv(int h, void *buf, size_t len, int flags)
{
    struct nn_msg m;
    if (!buf && len)
        return fail(-EFAULT);
    if (recv_msg(h, &m, flags) != 0)
        return -1;
    size_t size = nn_msg_bodylen(&m);
    if (len == NN_MSG) {
        *(void **) buf = m.body;
        m.body = NULL;
    } else if (len) {
        memcpy(buf, m.body, size < len ? size : len);
    }
    nn_msg_term(&m);
    return (int) size;
}

/* Lay out the control data of a received message (API.md §4.16). */
static int write_control(struct nn_msg *m, struct nn_msghdr *hdr,
                         void **allocated)
{
    size_t h = m->hdrlen;
    size_t t = NN_CMSG_SPACE(h + sizeof(size_t));
    size_t wslen = m->wsop ? NN_CMSG_SPACE(1) : 0;
    unsigned char *out;
    size_t cap;

    if (hdr->msg_controllen == NN_MSG) {
        out = nn_chunk_alloc(t + wslen);
        if (!out)
            return -ENOMEM;
        *(void **) hdr->msg_control = out;
        *allocated = out;
        cap = t + wslen;
    } else {
        out = hdr->msg_control;
        cap = hdr->msg_controllen;
        if (cap < t)
            return 0;   /* too small: nothing written at all */
    }
    memset(out, 0, t);
    struct nn_cmsghdr c = { .cmsg_len = t, .cmsg_level = PROTO_SP,
                            .cmsg_type = SP_HDR };
    memcpy(out, &c, sizeof(c));
    memcpy(out + NN_CMSG_LEN(0), &h, sizeof(h));
    if (h)
        memcpy(out + NN_CMSG_LEN(0) + sizeof(h), nn_msg_hdr(m), h);
    if (wslen && cap >= t + wslen) {
        unsigned char *w = out + t;
        memset(w, 0, wslen);
        struct nn_cmsghdr wc = { .cmsg_len = wslen, .cmsg_level = NN_WS,
                                 .cmsg_type = NN_WS_MSG_TYPE };
        memcpy(w, &wc, sizeof(wc));
        w[NN_CMSG_LEN(0)] = (unsigned char) m->wsop;
    }
    return 0;
}

int nn_recvmsg(int h, struct nn_msghdr *hdr, int flags)
{
    struct nn_msg m;
    if (!hdr)
        return fail(-EINVAL);
    if (hdr->msg_iovlen < 0)
        return fail(-EMSGSIZE);
    if (hdr->msg_iovlen > 0 && !hdr->msg_iov)
        return fail(-EFAULT);
    if (recv_msg(h, &m, flags) != 0)
        return -1;

    size_t size = nn_msg_bodylen(&m);
    /* Control data first: it is the step that can run out of memory, and
       a zero-copy body must not reach the caller of a failed call. */
    void *ctlchunk = NULL;
    int rc = hdr->msg_control ? write_control(&m, hdr, &ctlchunk) : 0;
    if (rc == 0 && hdr->msg_iovlen == 1 && hdr->msg_iov[0].iov_len == NN_MSG) {
        if (!hdr->msg_iov[0].iov_base) {
            rc = -EFAULT;
        } else {
            *(void **) hdr->msg_iov[0].iov_base = m.body;
            m.body = NULL;
        }
    } else if (rc == 0) {
        const char *src = m.body;
        size_t left = size;
        for (int i = 0; i < hdr->msg_iovlen && left; i++) {
            struct nn_iovec *v = &hdr->msg_iov[i];
            if (v->iov_len == NN_MSG) {
                rc = -EINVAL;
                break;
            }
            size_t n = v->iov_len < left ? v->iov_len : left;
            if (n && !v->iov_base) {
                rc = -EFAULT;
                break;
            }
            if (n)
                memcpy(v->iov_base, src, n);
            src += n;
            left -= n;
        }
    }
    if (rc != 0 && ctlchunk) {
        /* Take back the control chunk handed out above. */
        nn_freemsg(ctlchunk);
        *(void **) hdr->msg_control = NULL;
    }
    nn_msg_term(&m);
    return rc < 0 ? fail(rc) : (int) size;
}

/* --- statistics -------------------------------------------------------- */

uint64_t nn_get_statistic(int h, int stat)
{
    struct nn_sock *s = nn_sock_acquire(h);
    uint64_t v = (uint64_t) -1;
    if (!s)
        return v;
    if (stat == NN_STAT_CURRENT_SND_PRIORITY) {
        nn_sock_lock(s);
        v = s->proto->sndprio ? (uint64_t) (int64_t) s->proto->sndprio(s->pst) : 0;
        nn_sock_unlock(s);
    } else {
        int slot = nn_stat_slot(stat);
        if (slot < 0)
            errno = EINVAL;
        else
            v = __atomic_load_n(&s->stats[slot], __ATOMIC_RELAXED);
    }
    nn_sock_release(s);
    return v;
}
