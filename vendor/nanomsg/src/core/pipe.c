/* Pipes: one live connection as the protocol sees it. The inbound queue is
   filled by the transport (any thread) and drained by the protocol under
   the socket lock; it has its own leaf lock.

   A state change that the owning socket must hear about (a message arrived,
   room to send again) is an *event*. Events are never handled while the
   calling thread holds a socket lock — that could lock two sockets in
   either order — so they are queued per thread and run as soon as the
   thread lets go of its last socket lock.

   Receiving threads may read a connection themselves (ops->pull) and, when
   they block, watch it themselves (ops->claim): one thread wake-up per
   message instead of two. Only the socket's few most recently readable
   pipes are candidates, so a socket with thousands of idle connections
   pays nothing for it. What a receiver pulls still goes through the
   pipe's queue (the protocol picks the pipe it takes from), but the
   protocol hears of it in the same hold of the socket lock, not by an
   event run after the receiver lets go of the lock and takes it again. */
#include <errno.h>
#include <stdatomic.h>
#include <poll.h>
#include <stdlib.h>

#include "msgq.h"
#include "sock.h"

struct nn_pipe {
    struct nn_sock *sock;
    struct nn_ep *ep;
    const struct nn_pipe_ops *ops;
    void *tdata;
    void *pdata;
    int sndprio, rcvprio;
    uint64_t id;
    atomic_int refs;

    /* Under the socket lock. */
    int attached;
    int rd, wr;               /* as the protocol was last told */
    struct nn_list item;      /* in sock->pipes */
    int recent;               /* slot in sock->recent + 1, or 0 */
    int claimed;              /* ops->claim(p, 1) holds */

    /* Under qmtx. */
    pthread_mutex_t qmtx;
    struct nn_msgq q;
    size_t qbytes, rcvbuf;
    int qfull, stopped;
    int eof;                  /* peer gone: resume once the queue drains */
};

enum { EV_IN = 1, EV_OUT = 2 };

struct pending {
    struct nn_pipe *p;
    int ev;
};

static _Thread_local struct {
    struct pending *v;
    size_t n, cap, head;
    int depth;      /* socket locks held by this thread */
    int flushing;
    /* The pipe this thread is pulling (nn_sock_pull), with its socket's
       lock held: its arrivals reach the protocol at once instead of as
       deferred events. */
    const struct nn_pipe *pulling;
} tls;

static atomic_uint_fast64_t next_pipe_id = 1;

/* The per-thread event array is freed when its thread exits. */
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *v)
{
    free(v);
}

static void tls_key_init(void)
{
    pthread_key_create(&tls_key, tls_free);
}

static void pipe_unclaim(struct nn_sock *s, struct nn_pipe *p)
{
    if (!p->claimed)
        return;
    p->claimed = 0;
    s->nclaimed--;
    p->ops->claim(p, 0);
}

static void pipe_forget(struct nn_sock *s, struct nn_pipe *p)
{
    if (!p->recent)
        return;
    if (p->claimed) {
        pipe_unclaim(s, p);
        /* A thread may be polling its descriptor, which is about to go. */
        nn_sock_wake_receivers(s);
    }
    s->recent[p->recent - 1] = NULL;
    p->recent = 0;
}

/* Under the socket lock: the pipe has input for the protocol. */
static void pipe_note_recent(struct nn_sock *s, struct nn_pipe *p)
{
    nn_sock_assert_locked(s);
    int i;
    if (p->recent || !p->ops->pull)
        return;
    i = s->recent_next;
    s->recent_next = (i + 1) % NN_SOCK_RECENT;
    if (s->recent[i])
        pipe_forget(s, s->recent[i]);
    s->recent[i] = p;
    p->recent = i + 1;
}

/* Under the socket lock: tell the protocol that the pipe has input, unless
   it knows already or the input is gone. */
static void pipe_in_locked(struct nn_sock *s, struct nn_pipe *p)
{
    nn_sock_assert_locked(s);
    pthread_mutex_lock(&p->qmtx);
    int has = p->q.count > 0;
    pthread_mutex_unlock(&p->qmtx);
    if (has && !p->rd) {
        p->rd = 1;
        pipe_note_recent(s, p);
        s->proto->in(s->pst, p);
    }
}

static void pipe_event_run(struct nn_pipe *p, int ev)
{
    struct nn_sock *s = p->sock;
    nn_sock_lock(s);
    if (p->attached) {
        if (ev == EV_IN) {
            pipe_in_locked(s, p);
        } else if (!p->wr) {
            p->wr = 1;
            s->proto->out(s->pst, p);
        }
    }
    nn_sock_unlock(s);
    nn_pipe_unref(p);
}

static int pipe_deferring(void)
{
    return tls.depth > 0 || tls.flushing;
}

static void pipe_events_flush(void)
{
    if (tls.flushing || tls.depth > 0)
        return;
    tls.flushing = 1;
    while (tls.head < tls.n) {
        struct pending e = tls.v[tls.head++];
        pipe_event_run(e.p, e.ev);
    }
    tls.head = tls.n = 0;
    tls.flushing = 0;
}

#ifdef NN_DEBUG_LOCKS
void nn_pipe_assert_locked_in(const struct nn_pipe *p, const char *fn)
{
    nn_sock_assert_locked_in(p->sock, fn);
}
#endif

void nn_sock_lock(struct nn_sock *s)
{
    pthread_mutex_lock(&s->mtx);
#ifdef NN_DEBUG_LOCKS
    s->owner = pthread_self();
    s->owned = 1;
#endif
    tls.depth++;
}

/* Called by nn_sock_unlock (sock.c) after the mutex is released. */
void nn_pipe_unlocked(void)
{
    tls.depth--;
    if (tls.depth == 0 && tls.n > tls.head)
        pipe_events_flush();
}

static void pipe_event(struct nn_pipe *p, int ev)
{
    nn_pipe_ref(p);
    if (!pipe_deferring()) {
        pipe_event_run(p, ev);
        return;
    }
    if (tls.n == tls.cap) {
        size_t ncap = tls.cap ? tls.cap * 2 : 16;
        struct pending *v = realloc(tls.v, ncap * sizeof(*v));
        if (!v) {
            /* Out of memory: the event is lost; the pipe may stall but
               nothing is corrupted. */
            nn_pipe_unref(p);
            return;
        }
        if (!tls.v) {
            pthread_once(&tls_once, tls_key_init);
        }
        tls.v = v;
        tls.cap = ncap;
        pthread_setspecific(tls_key, v);
    }
    tls.v[tls.n].p = p;
    tls.v[tls.n].ev = ev;
    tls.n++;
}

struct nn_pipe *nn_pipe_new(struct nn_ep *ep, const struct nn_pipe_ops *ops,
                            void *tdata)
{
    struct nn_pipe *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->sock = ep->sock;
    p->ep = ep;
    p->ops = ops;
    p->tdata = tdata;
    p->sndprio = ep->sndprio;
    p->rcvprio = ep->rcvprio;
    p->id = atomic_fetch_add(&next_pipe_id, 1);
    atomic_init(&p->refs, 1);
    nn_list_init(&p->item);
    pthread_mutex_init(&p->qmtx, NULL);
    nn_msgq_init(&p->q);
    nn_sock_lock(p->sock);
    p->rcvbuf = (size_t) p->sock->opt.rcvbuf;
    nn_sock_unlock(p->sock);
    nn_sock_hold(p->sock);
    return p;
}

void nn_pipe_ref(struct nn_pipe *p)
{
    atomic_fetch_add(&p->refs, 1);
}

void nn_pipe_unref(struct nn_pipe *p)
{
    if (atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    struct nn_sock *s = p->sock;
    nn_msgq_term(&p->q);
    pthread_mutex_destroy(&p->qmtx);
    free(p);
    nn_sock_release(s);
}

void *nn_pipe_tdata(const struct nn_pipe *p) { return p->tdata; }
struct nn_sock *nn_pipe_sock(const struct nn_pipe *p) { return p->sock; }
void nn_pipe_setdata(struct nn_pipe *p, void *data) { p->pdata = data; }
void *nn_pipe_getdata(const struct nn_pipe *p) { return p->pdata; }
int nn_pipe_sndprio(const struct nn_pipe *p) { return p->sndprio; }
int nn_pipe_rcvprio(const struct nn_pipe *p) { return p->rcvprio; }
uint64_t nn_pipe_id(const struct nn_pipe *p) { return p->id; }

int nn_pipe_start(struct nn_pipe *p)
{
    struct nn_sock *s = p->sock;
    int rc = -1;
    nn_sock_lock(s);
    if (!s->closing && !p->attached && s->proto->add(s->pst, p) == 0) {
        p->attached = 1;
        if (!p->ops->borrows)
            __atomic_fetch_add(&s->copying, 1, __ATOMIC_RELAXED);
        nn_list_push(&s->pipes, &p->item);
        nn_pipe_ref(p);   /* the socket's list holds one */
        nn_stat_add(s, NN_ST_CURRENT_CONNECTIONS, 1);
        p->wr = 1;
        s->proto->out(s->pst, p);
        pthread_mutex_lock(&p->qmtx);
        int has = p->q.count > 0;
        pthread_mutex_unlock(&p->qmtx);
        if (has && p->attached) {
            p->rd = 1;
            pipe_note_recent(s, p);
            s->proto->in(s->pst, p);
        }
        rc = 0;
    }
    nn_sock_unlock(s);
    return rc;
}

/* Under the socket lock: take the pipe from the protocol. Returns 1 if the
   caller must drop the list's reference. */
static int pipe_detach_locked(struct nn_pipe *p)
{
    nn_sock_assert_locked(p->sock);
    struct nn_sock *s = p->sock;
    if (!p->attached)
        return 0;
    p->attached = 0;
    if (!p->ops->borrows)
        __atomic_fetch_sub(&s->copying, 1, __ATOMIC_RELAXED);
    pipe_forget(s, p);
    s->proto->rm(s->pst, p);
    nn_list_remove(&p->item);
    nn_stat_add(s, NN_ST_CURRENT_CONNECTIONS, -1);
    p->rd = p->wr = 0;
    return 1;
}

static void pipe_drop_queue(struct nn_pipe *p)
{
    struct nn_msgq q;
    pthread_mutex_lock(&p->qmtx);
    p->stopped = 1;
    q = p->q;
    nn_msgq_init(&p->q);
    p->qbytes = 0;
    pthread_mutex_unlock(&p->qmtx);
    nn_msgq_term(&q);
}

void nn_pipe_stop(struct nn_pipe *p)
{
    struct nn_sock *s = p->sock;
    nn_sock_lock(s);
    int drop = pipe_detach_locked(p);
    nn_sock_unlock(s);
    pipe_drop_queue(p);
    if (drop)
        nn_pipe_unref(p);
}

void nn_sock_detach_all(struct nn_sock *s)
{
    /* Protocol state goes before the transports tear the pipes down, so
       that nothing more is sent on them. */
    struct nn_list *it, *tmp;
    struct nn_list gone;
    nn_list_init(&gone);
    nn_sock_lock(s);
    nn_list_foreach(it, tmp, &s->pipes) {
        struct nn_pipe *p = nn_list_entry(it, struct nn_pipe, item);
        pipe_detach_locked(p);
        nn_list_push(&gone, &p->item);
    }
    nn_sock_unlock(s);
    nn_list_foreach(it, tmp, &gone) {
        struct nn_pipe *p = nn_list_entry(it, struct nn_pipe, item);
        nn_list_remove(&p->item);
        pipe_drop_queue(p);
        nn_pipe_unref(p);
    }
}

int nn_sock_pull(struct nn_sock *s, int ahead)
{
    nn_sock_assert_locked(s);
    int got = 0;
    for (int i = 0; i < NN_SOCK_RECENT; i++) {
        struct nn_pipe *p = s->recent[i];
        if (!p)
            continue;
        tls.pulling = p;
        int pulled = p->ops->pull(p, s->opt.rcvmaxsize);
        tls.pulling = NULL;
        if (!pulled)
            continue;
        got = 1;
        /* Input keeps coming faster than it is received: keep reading it
           here rather than have the I/O thread race us for it. */
        if (ahead && !p->claimed && p->ops->claim &&
            p->ops->claim(p, 1) >= 0) {
            p->claimed = 1;
            s->nclaimed++;
            s->claim_gen++;
        }
    }
    return got;
}

int nn_sock_claim(struct nn_sock *s, struct pollfd *fds)
{
    nn_sock_assert_locked(s);
    int n = 0;
    for (int i = 0; i < NN_SOCK_RECENT; i++) {
        struct nn_pipe *p = s->recent[i];
        if (!p || !p->ops->claim)
            continue;
        int fd = p->ops->claim(p, 1);
        if (fd < 0) {
            /* The transport has taken its watch back already. */
            if (p->claimed) {
                p->claimed = 0;
                s->nclaimed--;
            }
            continue;
        }
        if (!p->claimed) {
            p->claimed = 1;
            s->nclaimed++;
            s->claim_gen++;
        }
        fds[n].fd = fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
    }
    return n;
}

void nn_sock_unclaim(struct nn_sock *s, int all)
{
    nn_sock_assert_locked(s);
    for (int i = 0; i < NN_SOCK_RECENT && s->nclaimed > 0; i++) {
        struct nn_pipe *p = s->recent[i];
        if (!p || !p->claimed)
            continue;
        if (!all) {
            /* A message read ahead whose arrival the protocol has not yet
               heard of (it will at this unlock) makes the socket readable:
               keep watching that pipe ourselves. */
            pthread_mutex_lock(&p->qmtx);
            int pending = p->q.count > 0 && !p->rd;
            pthread_mutex_unlock(&p->qmtx);
            if (pending)
                continue;
        }
        pipe_unclaim(s, p);
    }
}

int nn_pipe_deliver(struct nn_pipe *p, struct nn_msg *m)
{
    size_t len = nn_msg_payload_len(m);
    int wasempty, full;
    if (nn_msg_own(m) != 0) {   /* from an inproc sender's nn_send */
        nn_msg_term(m);
        return 0;
    }
    pthread_mutex_lock(&p->qmtx);
    if (p->stopped || nn_msgq_push(&p->q, m) != 0) {
        pthread_mutex_unlock(&p->qmtx);
        nn_msg_term(m);
        return 0;
    }
    wasempty = p->q.count == 1;
    p->qbytes += len;
    p->qfull = p->qbytes >= p->rcvbuf;
    full = p->qfull;
    pthread_mutex_unlock(&p->qmtx);
    /* Pulled by a receiver: it holds the socket lock, so the protocol can
       take the message in this same hold. */
    if (wasempty && tls.pulling == p && p->attached)
        pipe_in_locked(p->sock, p);
    else if (wasempty)
        pipe_event(p, EV_IN);
    return full;
}

int nn_pipe_eof(struct nn_pipe *p)
{
    pthread_mutex_lock(&p->qmtx);
    int drained = p->q.count == 0 || p->stopped;
    if (!drained)
        p->eof = 1;
    pthread_mutex_unlock(&p->qmtx);
    return drained;
}

void nn_pipe_ready(struct nn_pipe *p)
{
    pipe_event(p, EV_OUT);
}

void nn_pipe_lock(struct nn_pipe *p)
{
    nn_sock_lock(p->sock);
}

void nn_pipe_unlock(struct nn_pipe *p)
{
    nn_sock_unlock(p->sock);
}

void nn_pipe_ready_locked(struct nn_pipe *p)
{
    nn_sock_assert_locked(p->sock);
    if (p->attached && !p->wr) {
        p->wr = 1;
        p->sock->proto->out(p->sock->pst, p);
    }
}

static int pipe_send_with(struct nn_pipe *p, struct nn_msg *m,
                          int (*op)(struct nn_pipe *, struct nn_msg *))
{
    nn_sock_assert_locked(p->sock);
    /* A closing socket's protocol may still react to its pipes going away
       (REQ resends to another pipe): nothing more leaves it. */
    if (p->sock->closing) {
        nn_msg_term(m);
        return 0;
    }
    int rc = op(p, m);
    if (rc & NN_PIPE_RELEASE)
        p->wr = 0;
    return rc;
}

int nn_pipe_send(struct nn_pipe *p, struct nn_msg *m)
{
    return pipe_send_with(p, m, p->ops->send);
}

int nn_pipe_send_queued(struct nn_pipe *p, struct nn_msg *m)
{
    return pipe_send_with(p, m, p->ops->queue ? p->ops->queue : p->ops->send);
}

int nn_pipe_recv(struct nn_pipe *p, struct nn_msg *m)
{
    nn_sock_assert_locked(p->sock);
    int resume, empty;
    pthread_mutex_lock(&p->qmtx);
    if (nn_msgq_pop(&p->q, m) != 0) {
        pthread_mutex_unlock(&p->qmtx);
        p->rd = 0;
        return -EAGAIN;
    }
    p->qbytes -= nn_msg_payload_len(m);
    empty = p->q.count == 0;
    resume = (p->qfull && p->qbytes < p->rcvbuf) || (empty && p->eof);
    if (resume)
        p->qfull = 0;
    pthread_mutex_unlock(&p->qmtx);
    /* A receiver, reading the queue dry, may as well read on: its pull
       then spares the I/O thread a wake-up per refill. */
    if (resume && p->ops->resume &&
        p->ops->resume(p, p->recent && nn_sock_receiving(p->sock)) &&
        !p->claimed) {
        p->claimed = 1;
        p->sock->nclaimed++;
        p->sock->claim_gen++;
    }
    if (empty) {
        p->rd = 0;
        return NN_PIPE_RELEASE;
    }
    return 0;
}
