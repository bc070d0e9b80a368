/* One ws:// connection. Life: HANDSHAKE (request/response, 5 s limit) ->
   ACTIVE (a started pipe; frames decoded into messages, messages encoded
   into frames) -> CLOSING (pipe stopped; flush any Close frame or 400
   reply, shut our side, drain until the peer closes or a short limit) ->
   freed.

   Threads: input, timers and state changes run on the loop thread. Output
   is shared with application threads (the pipe's send op writes to the
   kernel directly when nothing is queued), so the output state and the
   epoll interest live under the connection's leaf mutex. At most one
   message frame is pending per connection: while it is, the pipe is
   released and nn_pipe_ready() follows once the kernel has taken it. */
#include "wsconn.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../../include/nanomsg/ws.h"
#include "../core/proto.h"   /* nn_random_u32 */
#include "../io/loop.h"
#include "../utils/netcompat.h"
#include "wsframe.h"
#include "wshandshake.h"

#define NN_WSCONN_HANDSHAKE_MS 5000
#define NN_WSCONN_LINGER_MS 1000
#define NN_WSCONN_RBUF (64 * 1024)
/* A client masks outgoing payloads into this much scratch at a time (it
   must not touch the message, whose body may be shared by other pipes). */
#define NN_WSCONN_SCRATCH (256 * 1024)
/* Handshake text or Close frames waiting to be written. */
#define NN_WSCONN_CTL 512
/* Reads per wakeup, so one busy peer cannot starve the others. */
#define NN_WSCONN_READS 16

enum { WS_HANDSHAKE, WS_ACTIVE, WS_CLOSING };

struct nn_wsconn {
    struct nn_list item;
    struct nn_ep *ep;
    struct nn_sock *sock;
    nn_wsconn_gone_fn gone;
    void *owner;
    int client;
    int state;
    int fd;
    struct nn_io_fd w;
    struct nn_io_timer timer;   /* handshake deadline, then linger limit */
    struct nn_io_timer kick;    /* buffered input after a resume; send error */
    struct nn_pipe *pipe;
    int msgtype;
    const char *own_name;
    const char *path;           /* server: bound path, NULL for any */
    nn_wsconn_route_fn route;   /* server: shared listener's router */
    void *route_owner;
    char key[NN_WSHS_KEY_LEN + 1];

    /* Input: loop thread only. */
    uint8_t *rbuf;
    size_t roff, rlen;
    struct nn_wsdec dec;

    /* Output and epoll interest: under mtx. */
    pthread_mutex_t mtx;
    int reading;          /* the state wants input */
    int paused;           /* inbound queue full: no reading until resume */
    int resumed;          /* resume came before the pause took effect */
    int wdead;            /* no more sends: they are discarded */
    int eof;              /* peer gone: close once the app took what we read */
    int eof_code;         /* Close code to answer with then (0: none) */
    int wwait;            /* pipe released: nn_pipe_ready once flushed */
    int shut;             /* SHUT_WR done (closing) */
    unsigned interest;
    uint8_t ctl[NN_WSCONN_CTL];
    size_t ctllen, ctldone;
    int hasom;
    struct nn_msg om;     /* the message frame being written */
    uint8_t fh[NN_WSF_HDR_MAX];
    uint8_t mask[4];
    size_t fhlen, plen, odone;
    uint64_t rng;
    uint8_t *scratch;
    size_t scratchcap;
};

static void conn_fail(struct nn_wsconn *c, int code, const char *reason);
static void conn_free(struct nn_wsconn *c);

struct nn_wsconn *nn_wsconn_of(struct nn_list *it)
{
    return nn_list_entry(it, struct nn_wsconn, item);
}

/* ---- randomness ---------------------------------------------------------- */

static void conn_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    uint32_t v;

    if (nn_random_bytes(buf, len) == 0)
        return;
    while (len > 0) {
        size_t n = len < 4 ? len : 4;
        v = nn_random_u32();
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}

/* Frame masks come from a per-connection xorshift generator seeded from
   the OS: a getrandom() call per message would cost a system call on the
   hot path, and masks only have to be unpredictable to intermediaries. */
static uint32_t conn_rand(struct nn_wsconn *c)
{
    uint64_t x = c->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return (uint32_t) ((x * 0x2545f4914f6cdd1dull) >> 32);
}

static void conn_new_mask(struct nn_wsconn *c, uint8_t mask[4])
{
    uint32_t r = conn_rand(c);
    memcpy(mask, &r, 4);
}

/* ---- sub-protocol names ------------------------------------------------- */

/* The socket's own name, and the name of the type it accepts as a peer,
   derived from the type ids the core reports. */
static const char *conn_own_name(struct nn_sock *s)
{
    const char *n = nn_wshs_name(nn_sock_type(s));
    return n ? n : "";
}

static const char *conn_peer_name(struct nn_sock *s)
{
    int i, t;

    for (i = 0; (t = nn_wshs_type(i)) >= 0; i++)
        if (nn_sock_peer_ok(s, t))
            return nn_wshs_name(t);
    return "";
}

/* ---- output (under mtx) -------------------------------------------------- */

static void conn_interest_locked(struct nn_wsconn *c)
{
    unsigned ev = 0;

    if (c->reading && !c->paused && !c->eof)
        ev |= NN_IO_IN;
    if (c->hasom || c->ctldone < c->ctllen)
        ev |= NN_IO_OUT;
    if (ev != c->interest) {
        c->interest = ev;
        nn_io_fd_set(&c->w, ev);
    }
}

static int conn_ctl_append_locked(struct nn_wsconn *c, const void *data,
                                  size_t len)
{
    if (c->ctldone > 0) {
        memmove(c->ctl, c->ctl + c->ctldone, c->ctllen - c->ctldone);
        c->ctllen -= c->ctldone;
        c->ctldone = 0;
    }
    if (len > sizeof(c->ctl) - c->ctllen)
        return -1;
    memcpy(c->ctl + c->ctllen, data, len);
    c->ctllen += len;
    return 0;
}

/* sendmsg rather than writev: MSG_NOSIGNAL keeps a closed peer from
   raising SIGPIPE in the application. Returns bytes written, 0 when the
   kernel would block, -1 on a broken connection. */
static ssize_t conn_sendv(int fd, struct iovec *iov, int n)
{
    struct msghdr mh;
    ssize_t rc;

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t) n;
    for (;;) {
        rc = nn_sendmsg_nosig(fd, &mh);
        if (rc >= 0)
            return rc;
        if (errno == EINTR)
            continue;
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

/* Mask payload bytes [pos, pos + n) of the pending message (its SP header
   followed by its body) into dst. */
static void conn_mask_range(struct nn_wsconn *c, size_t pos, size_t n,
                            uint8_t *dst)
{
    const uint8_t *hdr = nn_msg_hdr(&c->om);
    const uint8_t *body = c->om.body;
    size_t hl = c->om.hdrlen, mp = pos, a;

    if (pos < hl) {
        a = hl - pos < n ? hl - pos : n;
        mp = nn_wsf_mask(dst, hdr + pos, a, c->mask, mp);
        dst += a;
        n -= a;
        pos += a;
    }
    if (n > 0)
        nn_wsf_mask(dst, body + (pos - hl), n, c->mask, mp);
}

/* Write the pending message frame: 1 done, 0 would block, -1 error. */
static int conn_write_frame_locked(struct nn_wsconn *c)
{
    size_t total = c->fhlen + c->plen;
    struct iovec iov[3];
    size_t want, off, i;
    ssize_t n;
    int niov;

    while (c->odone < total) {
        niov = 0;
        want = 0;
        if (c->odone < c->fhlen) {
            iov[niov].iov_base = c->fh + c->odone;
            iov[niov++].iov_len = c->fhlen - c->odone;
        }
        if (c->client) {
            size_t p = c->odone > c->fhlen ? c->odone - c->fhlen : 0;
            size_t piece = c->plen - p;
            if (piece > NN_WSCONN_SCRATCH)
                piece = NN_WSCONN_SCRATCH;
            if (piece > c->scratchcap) {
                uint8_t *s = realloc(c->scratch, piece);
                if (s == NULL)
                    return -1;
                c->scratch = s;
                c->scratchcap = piece;
            }
            if (piece > 0) {
                /* Re-masked from the message after a partial write: the
                   key position follows the payload offset. */
                conn_mask_range(c, p, piece, c->scratch);
                iov[niov].iov_base = c->scratch;
                iov[niov++].iov_len = piece;
            }
        } else {
            struct iovec seg[2];
            seg[0].iov_base = nn_msg_hdr(&c->om);
            seg[0].iov_len = c->om.hdrlen;
            seg[1].iov_base = c->om.body;
            seg[1].iov_len = nn_msg_bodylen(&c->om);
            off = c->odone > c->fhlen ? c->odone - c->fhlen : 0;
            for (i = 0; i < 2; i++) {
                if (off >= seg[i].iov_len) {
                    off -= seg[i].iov_len;
                    continue;
                }
                iov[niov].iov_base = (uint8_t *) seg[i].iov_base + off;
                iov[niov++].iov_len = seg[i].iov_len - off;
                off = 0;
            }
        }
        for (i = 0; i < (size_t) niov; i++)
            want += iov[i].iov_len;
        n = conn_sendv(c->fd, iov, niov);
        if (n < 0)
            return -1;
        c->odone += (size_t) n;
        if ((size_t) n < want)
            return c->odone == total ? 1 : 0;
    }
    return 1;
}

/* Write what is pending: 1 all written, 0 would block, -1 error. A frame
   already begun is finished before any control bytes, which otherwise go
   first (the handshake reply precedes every frame). */
static int conn_flush_locked(struct nn_wsconn *c)
{
    struct iovec iov;
    ssize_t n;
    int rc;

    for (;;) {
        if (c->hasom && (c->odone > 0 || c->ctldone == c->ctllen)) {
            rc = conn_write_frame_locked(c);
            if (rc <= 0)
                return rc;
            nn_msg_term(&c->om);
            c->hasom = 0;
            continue;
        }
        if (c->ctldone < c->ctllen) {
            iov.iov_base = c->ctl + c->ctldone;
            iov.iov_len = c->ctllen - c->ctldone;
            n = conn_sendv(c->fd, &iov, 1);
            if (n < 0)
                return -1;
            if (n == 0)
                return 0;
            c->ctldone += (size_t) n;
            if (c->ctldone == c->ctllen)
                c->ctldone = c->ctllen = 0;
            continue;
        }
        return 1;
    }
}

/* ---- pipe ops (application threads, socket lock held) -------------------- */

static void conn_prepare_locked(struct nn_wsconn *c, struct nn_msg *m)
{
    size_t plen = m->hdrlen + nn_msg_bodylen(m);
    int op = m->wsop;

    /* A per-message opcode (cmsg, or a ping/pong forwarded by a device)
       wins when it makes a valid frame. */
    if (!(op == NN_WSF_TEXT || op == NN_WSF_BINARY ||
          ((op == NN_WSF_PING || op == NN_WSF_PONG) && plen <= NN_WSF_CTL_MAX)))
        op = c->msgtype;
    c->om = *m;
    c->hasom = 1;
    c->plen = plen;
    c->odone = 0;
    if (c->client) {
        conn_new_mask(c, c->mask);
        c->fhlen = nn_wsf_header(c->fh, op, plen, c->mask);
    } else {
        c->fhlen = nn_wsf_header(c->fh, op, plen, NULL);
    }
}

static int conn_send(struct nn_pipe *p, struct nn_msg *m)
{
    nn_pipe_assert_locked(p);
    struct nn_wsconn *c = nn_pipe_tdata(p);
    int rc;

    /* Kept as the frame being written, and masked by a client. */
    if (nn_msg_own(m) != 0) {
        nn_msg_term(m);
        return 0;
    }
    pthread_mutex_lock(&c->mtx);
    if (c->wdead || c->hasom) {
        pthread_mutex_unlock(&c->mtx);
        nn_msg_term(m);
        return 0;
    }
    conn_prepare_locked(c, m);
    rc = conn_flush_locked(c);
    if (rc > 0) {
        pthread_mutex_unlock(&c->mtx);
        return 0;
    }
    if (rc == 0) {
        c->wwait = 1;
        conn_interest_locked(c);
        pthread_mutex_unlock(&c->mtx);
        return NN_PIPE_RELEASE;
    }
    /* Broken: the loop thread tears the connection down; until then
       sends are discarded, as for any dead pipe. */
    c->wdead = 1;
    if (c->hasom) {
        nn_msg_term(&c->om);
        c->hasom = 0;
    }
    conn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    nn_io_timer_start(&c->kick, 0);
    return 0;
}

static int conn_resume(struct nn_pipe *p, int claim)
{
    nn_pipe_assert_locked(p);
    struct nn_wsconn *c = nn_pipe_tdata(p);

    (void) claim;   /* ws has no pull: its loop thread reads */
    pthread_mutex_lock(&c->mtx);
    if (c->eof) {
        /* The queue has drained: the loop may close now. */
        nn_io_timer_start(&c->kick, 0);
    } else if (c->paused) {
        c->paused = 0;
        conn_interest_locked(c);
        /* Bytes already read may hold whole messages: the loop decodes
           them before waiting for more. */
        nn_io_timer_start(&c->kick, 0);
    } else {
        c->resumed = 1;
    }
    pthread_mutex_unlock(&c->mtx);
    return 0;
}

static const struct nn_pipe_ops conn_ops = {
    .send = conn_send,
    .resume = conn_resume,
};

/* ---- input (loop thread) ------------------------------------------------- */

/* Hand a decoded message to the pipe: 1 to go on, 0 when the inbound
   queue is full and reading pauses. */
static int conn_deliver(struct nn_wsconn *c, struct nn_wsdec_out *out)
{
    struct nn_msg m;

    nn_msg_init_chunk(&m, out->body);
    m.wsop = out->opcode;
    if (!nn_pipe_deliver(c->pipe, &m))
        return 1;
    pthread_mutex_lock(&c->mtx);
    if (c->resumed) {
        c->resumed = 0;
        pthread_mutex_unlock(&c->mtx);
        return 1;
    }
    c->paused = 1;
    conn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    return 0;
}

static int conn_established(struct nn_wsconn *c)
{
    struct nn_pipe *p;
    int rc;

    nn_io_timer_cancel(&c->timer);
    p = nn_pipe_new(c->ep, &conn_ops, c);
    if (p == NULL) {
        conn_fail(c, 0, NULL);
        return 0;
    }
    c->pipe = p;
    c->state = WS_ACTIVE;
    pthread_mutex_lock(&c->mtx);
    rc = conn_flush_locked(c);
    conn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (rc < 0) {
        conn_fail(c, 0, NULL);
        return 0;
    }
    nn_ep_set_error(c->ep, 0);
    /* Refused (a PAIR that has its peer, a closing socket): the peer saw
       a complete handshake and now sees the connection close. */
    if (nn_pipe_start(p) != 0) {
        conn_fail(c, 0, NULL);
        return 0;
    }
    return 1;
}

/* The peer closed (end of stream, or its Close frame, answered with
   `code`). Like tcp/ipc, messages already read stay receivable: the
   connection goes once the application has taken them. */
static void conn_peer_gone(struct nn_wsconn *c, int code)
{
    if (c->state != WS_ACTIVE || c->pipe == NULL) {
        conn_fail(c, code, "");
        return;
    }
    /* eof first: should the application take the last message right
       after nn_pipe_eof looked, its conn_resume must see eof and kick us
       (else that wake-up was lost and the connection stayed open). */
    pthread_mutex_lock(&c->mtx);
    c->eof = 1;
    c->eof_code = code;
    conn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (nn_pipe_eof(c->pipe))
        conn_fail(c, code, "");
}

/* A shared listener's connection moves, before its handshake is judged,
   to the endpoint that serves the requested path: nothing of the old
   endpoint is in use yet (no pipe), only its settings. */
static void conn_reroute(struct nn_wsconn *c, const char *req, size_t len)
{
    struct nn_wsconn_route to;
    const char *path;
    size_t pathlen;
    int rcvmax;

    if (c->route == NULL ||
        nn_wshs_request_path(req, len, &path, &pathlen) != 0 ||
        !c->route(c->route_owner, path, pathlen, &to) || to.ep == c->ep)
        return;
    c->route = NULL;
    /* Counted as accepted by the socket that now has it. */
    nn_sock_stat(c->sock, NN_STAT_ACCEPTED_CONNECTIONS, -1);
    nn_sock_stat(to.ep->sock, NN_STAT_ACCEPTED_CONNECTIONS, 1);
    c->ep = to.ep;
    c->sock = to.ep->sock;
    c->own_name = conn_own_name(c->sock);
    c->path = to.path;
    c->msgtype = to.msgtype == NN_WS_MSG_TYPE_TEXT ? NN_WSF_TEXT : NN_WSF_BINARY;
    rcvmax = nn_sock_getopt_int(c->sock, NN_SOL_SOCKET, NN_RCVMAXSIZE);
    nn_wsdec_term(&c->dec);
    nn_wsdec_init(&c->dec, 1, rcvmax < 0 ? UINT64_MAX : (uint64_t) rcvmax);
    nn_list_remove(&c->item);
    nn_list_push(to.list, &c->item);
}

/* The handshake with what has been read: 0 needs more, 1 done, -1 failed. */
static int conn_handshake(struct nn_wsconn *c)
{
    const char *buf = (const char *) c->rbuf + c->roff;
    size_t len = c->rlen - c->roff;
    char reply[NN_WSHS_REPLY_MAX];
    size_t replylen = 0;
    enum nn_wshs_verdict v;
    int blk;

    blk = nn_wshs_block_len(buf, len,
                            c->client ? NN_WSHS_RESP_MAX : NN_WSHS_REQ_MAX);
    if (blk == 0)
        return 0;
    if (c->client) {
        if (blk < 0 || nn_wshs_check_response(buf, (size_t) blk, c->key) != 0) {
            conn_fail(c, 0, NULL);
            return -1;
        }
    } else {
        if (blk > 0)
            conn_reroute(c, buf, (size_t) blk);
        v = nn_wshs_serve_path(buf, blk < 0 ? len : (size_t) blk,
                               c->own_name, c->path,
                               blk < 0 ? NN_WSHS_TOO_LONG : NN_WSHS_OK,
                               reply, &replylen);
        pthread_mutex_lock(&c->mtx);
        conn_ctl_append_locked(c, reply, replylen);
        pthread_mutex_unlock(&c->mtx);
        if (v != NN_WSHS_OK) {
            /* The 400 reply goes out while the connection closes. */
            conn_fail(c, 0, NULL);
            return -1;
        }
    }
    c->roff += (size_t) blk;
    return conn_established(c) ? 1 : -1;
}

/* Decode what has been read: 1 to keep reading, 0 to stop (failed,
   closing or paused). */
static int conn_process(struct nn_wsconn *c)
{
    struct nn_wsdec_out out;
    enum nn_wsdec_rc rc;
    size_t used;

    if (c->state == WS_HANDSHAKE) {
        int hs = conn_handshake(c);
        if (hs <= 0)
            return hs == 0;
    }
    while (c->state == WS_ACTIVE && c->roff < c->rlen) {
        rc = nn_wsdec_feed(&c->dec, c->rbuf + c->roff, c->rlen - c->roff,
                           &used, &out);
        c->roff += used;
        if (rc == NN_WSDEC_MSG) {
            if (!conn_deliver(c, &out))
                return 0;
        } else if (rc == NN_WSDEC_CLOSE) {
            /* A reason means a protocol error of the peer's: fail now. An
               empty one answers the peer's own Close. */
            if (out.reason == NULL || out.reason[0] == '\0')
                conn_peer_gone(c, out.code);
            else
                conn_fail(c, out.code, out.reason);
            return 0;
        }
    }
    return c->state == WS_ACTIVE;
}

/* NN_RCVMAXSIZE is read for every round of input, as tcp and ipc read
   it, so a limit changed on a live connection applies to the next message.
   No lock of ours is held here: the option takes the socket lock. */
static void conn_read_limit(struct nn_wsconn *c)
{
    int rcvmax = nn_sock_getopt_int(c->sock, NN_SOL_SOCKET, NN_RCVMAXSIZE);
    nn_wsdec_set_max(&c->dec, rcvmax < 0 ? UINT64_MAX : (uint64_t) rcvmax);
}

static void conn_read(struct nn_wsconn *c, unsigned ev)
{
    size_t space;
    ssize_t n;
    int i, paused;

    for (i = 0; i < NN_WSCONN_READS; i++) {
        if (c->state != WS_HANDSHAKE && c->state != WS_ACTIVE)
            return;
        pthread_mutex_lock(&c->mtx);
        paused = c->paused;
        pthread_mutex_unlock(&c->mtx);
        if (paused) {
            /* Errors are reported whatever the interest; not reading
               would make the loop spin on them. */
            if (ev & NN_IO_ERR)
                conn_fail(c, 0, NULL);
            return;
        }
        /* Everything read is decoded before the next read unless paused,
           and a handshake never exceeds 4096 bytes, so there is room. */
        if (c->roff == c->rlen) {
            c->roff = c->rlen = 0;
        } else if (c->roff > 0) {
            memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
            c->rlen -= c->roff;
            c->roff = 0;
        }
        space = NN_WSCONN_RBUF - c->rlen;
        if (space == 0)
            return;
        n = recv(c->fd, c->rbuf + c->rlen, space, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == 0) {
            conn_peer_gone(c, 0);
            return;
        }
        if (n < 0) {
            conn_fail(c, 0, NULL);
            return;
        }
        c->rlen += (size_t) n;
        conn_read_limit(c);
        if (!conn_process(c))
            return;
        if ((size_t) n < space)
            return;   /* drained; level-triggered epoll calls again */
    }
}

/* ---- closing ------------------------------------------------------------- */

/* Leave ACTIVE/HANDSHAKE: the pipe goes, a Close frame (code != 0) or a
   pending 400 reply is flushed, then our side is shut and the peer gets a
   moment to close first, so that its kernel does not see a reset before
   our last bytes. Never frees `c`. */
static void conn_fail(struct nn_wsconn *c, int code, const char *reason)
{
    struct nn_pipe *p = c->pipe;
    uint8_t frame[NN_WSF_CLOSE_MAX];
    uint8_t mask[4];
    size_t n;
    int rc;

    if (c->state == WS_CLOSING)
        return;
    c->state = WS_CLOSING;
    c->pipe = NULL;
    if (p != NULL) {
        nn_pipe_stop(p);
        nn_pipe_unref(p);
    }
    nn_sock_stat(c->sock, NN_STAT_BROKEN_CONNECTIONS, 1);
    nn_io_timer_cancel(&c->kick);
    nn_io_timer_cancel(&c->timer);

    pthread_mutex_lock(&c->mtx);
    c->wdead = 1;
    c->wwait = 0;
    if (c->hasom && c->odone == 0) {
        nn_msg_term(&c->om);
        c->hasom = 0;
    }
    if (code != 0) {
        if (c->client)
            conn_new_mask(c, mask);
        n = nn_wsf_close(frame, code, reason, c->client ? mask : NULL);
        conn_ctl_append_locked(c, frame, n);
    }
    c->reading = 1;
    c->paused = 0;
    c->eof = 0;   /* lingering reads until the peer's end */
    rc = conn_flush_locked(c);
    if (rc != 0 && !c->shut) {
        shutdown(c->fd, SHUT_WR);
        c->shut = 1;
    }
    if (rc < 0) {
        /* Nothing more can be written: drop it and wait for the read side
           to report the end. */
        if (c->hasom) {
            nn_msg_term(&c->om);
            c->hasom = 0;
        }
        c->ctllen = c->ctldone = 0;
    }
    conn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);

    nn_io_timer_start(&c->timer, NN_WSCONN_LINGER_MS);
    if (c->gone != NULL)
        c->gone(c->owner, c);
}

static void conn_free(struct nn_wsconn *c)
{
    pthread_mutex_lock(&c->mtx);
    c->wdead = 1;
    nn_io_fd_del(&c->w);
    if (c->hasom) {
        nn_msg_term(&c->om);
        c->hasom = 0;
    }
    pthread_mutex_unlock(&c->mtx);
    nn_io_timer_cancel(&c->timer);
    nn_io_timer_cancel(&c->kick);
    close(c->fd);
    nn_wsdec_term(&c->dec);
    nn_list_remove(&c->item);
    pthread_mutex_destroy(&c->mtx);
    free(c->rbuf);
    free(c->scratch);
    free(c);
}

static void conn_linger_io(struct nn_wsconn *c, unsigned ev)
{
    ssize_t n;
    int rc, i;

    if (ev & NN_IO_OUT) {
        pthread_mutex_lock(&c->mtx);
        rc = conn_flush_locked(c);
        if (rc > 0 && !c->shut) {
            shutdown(c->fd, SHUT_WR);
            c->shut = 1;
        }
        conn_interest_locked(c);
        pthread_mutex_unlock(&c->mtx);
        if (rc < 0) {
            conn_free(c);
            return;
        }
    }
    if (!(ev & (NN_IO_IN | NN_IO_ERR)))
        return;
    /* Whatever the peer still sends is discarded until it closes. */
    for (i = 0; i < NN_WSCONN_READS; i++) {
        n = recv(c->fd, c->rbuf, NN_WSCONN_RBUF, 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        conn_free(c);
        return;
    }
}

/* ---- loop callbacks ------------------------------------------------------ */

static void conn_io(struct nn_io_fd *w, unsigned ev)
{
    struct nn_wsconn *c = nn_list_entry(w, struct nn_wsconn, w);
    int rc, ready = 0, locked;

    if (c->state == WS_CLOSING) {
        conn_linger_io(c, ev);
        return;
    }
    if (ev & NN_IO_OUT) {
        /* A released pipe is flushed and made writable under the socket
           lock (see nn_pipe_lock); wwait only goes from 0 to 1 under it. */
        pthread_mutex_lock(&c->mtx);
        locked = c->wwait && c->pipe != NULL;
        pthread_mutex_unlock(&c->mtx);
        if (locked)
            nn_pipe_lock(c->pipe);
        pthread_mutex_lock(&c->mtx);
        rc = conn_flush_locked(c);
        if (rc > 0 && c->wwait) {
            c->wwait = 0;
            ready = 1;
        }
        conn_interest_locked(c);
        pthread_mutex_unlock(&c->mtx);
        if (ready && c->pipe != NULL && locked)
            nn_pipe_ready_locked(c->pipe);
        else if (ready && c->pipe != NULL)
            nn_pipe_ready(c->pipe);   /* released meanwhile */
        if (locked)
            nn_pipe_unlock(c->pipe);
        if (rc < 0) {
            conn_fail(c, 0, NULL);
            return;
        }
    }
    if (ev & (NN_IO_IN | NN_IO_ERR))
        conn_read(c, ev);
}

static void conn_timer_fn(struct nn_io_timer *t)
{
    struct nn_wsconn *c = nn_list_entry(t, struct nn_wsconn, timer);

    if (c->state == WS_HANDSHAKE)
        conn_fail(c, 0, NULL);
    else if (c->state == WS_CLOSING)
        conn_free(c);
}

static void conn_kick_fn(struct nn_io_timer *t)
{
    struct nn_wsconn *c = nn_list_entry(t, struct nn_wsconn, kick);
    int dead, eof, code;

    if (c->state != WS_ACTIVE)
        return;
    pthread_mutex_lock(&c->mtx);
    dead = c->wdead;
    eof = c->eof;
    code = c->eof_code;
    pthread_mutex_unlock(&c->mtx);
    if (dead)
        conn_fail(c, 0, NULL);
    else if (eof)
        conn_peer_gone(c, code);
    else
        conn_process(c);
}

/* ---- life ---------------------------------------------------------------- */

struct nn_wsconn *nn_wsconn_start(struct nn_ep *ep, int fd,
                                  const struct nn_wsconn_cfg *cfg,
                                  struct nn_list *list)
{
    struct nn_wsconn *c = calloc(1, sizeof(*c));
    uint8_t nonce[NN_WSHS_NONCE_LEN];
    int n;

    if (c == NULL || (c->rbuf = malloc(NN_WSCONN_RBUF)) == NULL) {
        free(c);
        close(fd);
        return NULL;
    }
    c->ep = ep;
    c->sock = ep->sock;
    c->gone = cfg->gone;
    c->owner = cfg->owner;
    c->client = cfg->client;
    c->state = WS_HANDSHAKE;
    c->fd = fd;
    c->msgtype = (cfg->msgtype == NN_WS_MSG_TYPE_TEXT) ? NN_WSF_TEXT
                                                       : NN_WSF_BINARY;
    c->reading = 1;
    pthread_mutex_init(&c->mtx, NULL);
    nn_io_timer_init(&c->timer, conn_timer_fn);
    nn_io_timer_init(&c->kick, conn_kick_fn);
    nn_list_init(&c->item);
    conn_random(&c->rng, sizeof(c->rng));
    if (c->rng == 0)
        c->rng = 0x9e3779b97f4a7c15ull;
    /* The limit is set again before every decoding round. */
    nn_wsdec_init(&c->dec, !c->client, UINT64_MAX);

    if (c->client) {
        conn_random(nonce, sizeof(nonce));
        nn_wshs_key(nonce, c->key);
        n = nn_wshs_request((char *) c->ctl, sizeof(c->ctl), cfg->resource,
                            cfg->host, c->key,
                            conn_peer_name(c->sock));
        if (n < 0)
            goto fail;
        c->ctllen = (size_t) n;
    } else {
        c->own_name = conn_own_name(c->sock);
        c->path = cfg->resource;
        c->route = cfg->route;
        c->route_owner = cfg->route_owner;
    }
    /* The request goes out from the loop's first round (OUT interest). */
    c->interest = NN_IO_IN | (c->client ? NN_IO_OUT : 0);
    if (nn_io_fd_add(&c->w, fd, c->interest, conn_io) != 0)
        goto fail;
    nn_list_push(list, &c->item);
    nn_io_timer_start(&c->timer, NN_WSCONN_HANDSHAKE_MS);
    return c;

fail:
    nn_wsdec_term(&c->dec);
    pthread_mutex_destroy(&c->mtx);
    free(c->rbuf);
    free(c);
    close(fd);
    return NULL;
}

void nn_wsconn_destroy(struct nn_wsconn *c)
{
    struct nn_pipe *p = c->pipe;

    if (p != NULL) {
        c->pipe = NULL;
        nn_pipe_stop(p);
        nn_pipe_unref(p);
        nn_sock_stat(c->sock, NN_STAT_DROPPED_CONNECTIONS, 1);
    }
    conn_free(c);
}
