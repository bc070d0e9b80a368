/* Socket object: creation and teardown, blocking send/recv, readiness. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../include/nanomsg/nn.h"
#include "../../include/nanomsg/ws.h"
#include "sock.h"

static const struct nn_proto *const protos[] = {
    &nn_pair_proto, &nn_xpair_proto, &nn_pub_proto, &nn_xpub_proto,
    &nn_sub_proto, &nn_xsub_proto, &nn_req_proto, &nn_xreq_proto,
    &nn_rep_proto, &nn_xrep_proto, &nn_push_proto, &nn_xpush_proto,
    &nn_pull_proto, &nn_xpull_proto, &nn_surveyor_proto,
    &nn_xsurveyor_proto, &nn_respondent_proto, &nn_xrespondent_proto,
    &nn_bus_proto, &nn_xbus_proto,
};

static const struct nn_proto *proto_find(int type, int raw)
{
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
        if (protos[i]->type == type && protos[i]->raw == raw)
            return protos[i];
    return NULL;
}

static const struct nn_sockopts default_opts = {
    .sndbuf = 128 * 1024, .rcvbuf = 128 * 1024,
    .sndtimeo = -1, .rcvtimeo = -1,
    .reconnect_ivl = 100, .reconnect_ivl_max = 0,
    .sndprio = 8, .rcvprio = 8, .ipv4only = 1,
    .rcvmaxsize = 1024 * 1024, .maxttl = 8,
};

int nn_sock_create(struct nn_sock **out, int domain, int type, int handle)
{
    const struct nn_proto *proto = proto_find(type, domain == AF_SP_RAW);
    if (!proto)
        return -EINVAL;
    struct nn_sock *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->mtx, NULL);
    s->handle = handle;
    s->domain = domain;
    s->type = type;
    s->proto = proto;
    s->sndfd = s->rcvfd = (struct nn_efd) NN_EFD_NONE;
    nn_list_init(&s->waiters);
    nn_list_init(&s->eps);
    nn_list_init(&s->pipes);
    nn_list_init(&s->timers);
    s->next_eid = 1;
    s->opt = default_opts;
    snprintf(s->opt.name, sizeof(s->opt.name), "%d", handle);
    s->opt.topt = nn_topt_defaults();
    int rc = s->opt.topt ? proto->create(s, &s->pst) : -ENOMEM;
    if (rc != 0) {
        pthread_mutex_destroy(&s->mtx);
        free(s->opt.topt);
        free(s);
        return rc < 0 ? rc : -ENOMEM;
    }
    s->events = proto->events(s->pst);
    *out = s;
    return 0;
}

void nn_sock_free(struct nn_sock *s)
{
    s->proto->destroy(s->pst);
    nn_efd_close(&s->sndfd);
    nn_efd_close(&s->rcvfd);
    pthread_mutex_destroy(&s->mtx);
    free(s->opt.topt);
    free(s);
}

/* --- readiness ----------------------------------------------------------- */

static void fd_set_level(struct nn_efd *e, int ready)
{
    if (e->rd < 0)
        return;
    /* Called on transitions only, so the counter (or pipe) stays tiny. */
    if (ready)
        nn_efd_signal(e);
    else
        nn_efd_drain(e);
}

static void wake_waiters(struct nn_sock *s, int ev)
{
    struct nn_list *it, *tmp;
    nn_list_foreach(it, tmp, &s->waiters) {
        struct nn_waiter *w = nn_list_entry(it, struct nn_waiter, item);
        if (ev & w->dir) {
            nn_efd_signal(w->efd);
            nn_list_remove(&w->item);
        }
    }
}

/* A receiver leaves while others sleep. A claimed pipe is then watched by
   nobody but sleepers that poll it: those that poll no pipes (past their
   pull budget) or built their poll set before the last claim rebuild it,
   and one past its budget gives the pipes back to the I/O thread. */
static void wake_stale_receivers(struct nn_sock *s)
{
    struct nn_list *it, *tmp;
    nn_list_foreach(it, tmp, &s->waiters) {
        struct nn_waiter *w = nn_list_entry(it, struct nn_waiter, item);
        if (w->dir == NN_EV_IN && (!w->claim || w->gen != s->claim_gen)) {
            nn_efd_signal(w->efd);
            nn_list_remove(&w->item);
        }
    }
}

void nn_sock_wake_receivers(struct nn_sock *s)
{
    wake_waiters(s, NN_EV_IN);
}

void nn_sock_unlock(struct nn_sock *s)
{
    int ev = s->closing ? (NN_EV_IN | NN_EV_OUT) : s->proto->events(s->pst);
    if (!nn_list_empty(&s->waiters))
        wake_waiters(s, ev);
    /* A claimed pipe's input is read by receivers only. With none left
       and nothing to receive, the I/O thread must watch it again: what
       arrives meanwhile is then read at once, as libnanomsg does (an
       oversized message drops the connection, NN_RCVFD turns readable). */
    if (s->nclaimed && !s->receivers && !(ev & NN_EV_IN))
        nn_sock_unclaim(s, 0);
    if (ev != s->events) {
        int changed = ev ^ s->events;
        s->events = ev;
        if (changed & NN_EV_IN)
            fd_set_level(&s->rcvfd, ev & NN_EV_IN);
        if (changed & NN_EV_OUT)
            fd_set_level(&s->sndfd, ev & NN_EV_OUT);
    }
#ifdef NN_DEBUG_LOCKS
    s->owned = 0;
#endif
    pthread_mutex_unlock(&s->mtx);
    nn_pipe_unlocked();
}

#ifdef NN_DEBUG_LOCKS
void nn_sock_assert_locked_in(const struct nn_sock *s, const char *fn)
{
    if (s->owned && pthread_equal(s->owner, pthread_self()))
        return;
    fprintf(stderr, "nanomsg: %s needs the lock of socket %d\n", fn,
            s->handle);
    abort();
}
#endif

int nn_sock_fd(struct nn_sock *s, int dir)
{
    int rc;
    nn_sock_lock(s);
    struct nn_efd *slot = dir == NN_EV_IN ? &s->rcvfd : &s->sndfd;
    if (slot->rd < 0) {
        rc = nn_efd_open(slot);
        if (rc < 0) {
            nn_sock_unlock(s);
            return rc;
        }
        fd_set_level(slot, s->events & dir);
    }
    rc = slot->rd;
    nn_sock_unlock(s);
    return rc;
}

/* --- blocking ---------------------------------------------------------- */

/* Each thread that ever blocks gets one wake-up descriptor, closed when it
   exits. */
static pthread_key_t waitfd_key;
static pthread_once_t waitfd_once = PTHREAD_ONCE_INIT;

static void waitfd_close(void *p)
{
    nn_efd_close(p);
    free(p);
}

static void waitfd_init(void)
{
    pthread_key_create(&waitfd_key, waitfd_close);
}

static struct nn_efd *waitfd_get(int *err)
{
    pthread_once(&waitfd_once, waitfd_init);
    struct nn_efd *e = pthread_getspecific(waitfd_key);
    if (e)
        return e;
    e = malloc(sizeof(*e));
    if (!e) {
        *err = -ENOMEM;
        return NULL;
    }
    *err = nn_efd_open(e);
    if (*err < 0 || pthread_setspecific(waitfd_key, e) != 0) {
        if (*err == 0) {
            *err = -ENOMEM;
            nn_efd_close(e);
        }
        free(e);
        return NULL;
    }
    return e;
}

/* Wait, with the socket locked on entry and exit, until `dir` may be ready,
   the deadline passes or a signal arrives. 0, -ETIMEDOUT or -EINTR. A
   receiver (`claim`) also wakes when a claimed pipe has input. */
static int sock_wait(struct nn_sock *s, int dir, uint64_t deadline,
                     int claim)
{
    int err;
    struct nn_efd *efd = waitfd_get(&err);
    if (!efd)
        return err;

    int timeout = -1;
    if (deadline) {
        uint64_t now = nn_clock_ms();
        if (now >= deadline)
            return -ETIMEDOUT;
        timeout = (int) (deadline - now);
    }
    struct pollfd pfd[1 + NN_SOCK_RECENT] = {
        { .fd = efd->rd, .events = POLLIN } };
    nfds_t n = 1;
    if (claim)
        n += (nfds_t) nn_sock_claim(s, pfd + 1);
    else if (dir == NN_EV_IN)
        nn_sock_unclaim(s, 1);
    struct nn_waiter w = { .efd = efd, .dir = dir, .claim = claim,
                           .gen = s->claim_gen };
    nn_list_push(&s->waiters, &w.item);
    nn_sock_unlock(s);   /* may signal us already: poll returns at once */

    int rc = poll(pfd, n, timeout);
    err = errno;

    nn_sock_lock(s);
    /* A waker signals us and unlinks us under the lock, so we are
       signalled exactly when we were unlinked: consume it now, or the
       next wait would return at once for nothing. */
    if (nn_list_linked(&w.item))
        nn_list_remove(&w.item);
    else
        nn_efd_drain(efd);
    if (rc < 0)
        return err == EINTR ? -EINTR : -err;
    return 0;
}

/* The socket this thread is receiving on: a pipe drained by this thread
   may be claimed for it (nn_pipe_recv), not one drained by a protocol
   timer or another thread's send. */
static _Thread_local const struct nn_sock *receiving_on;

int nn_sock_receiving(const struct nn_sock *s)
{
    return receiving_on == s;
}

/* The deadline of a call with time-out `timeo`, fixed when it first has
   to wait (*deadline 0 until then): a call that never waits, the common
   case, reads no clock. 0 when there is none. */
static uint64_t deadline_of(int timeo, uint64_t *deadline)
{
    if (!*deadline && timeo > 0)
        *deadline = nn_clock_ms() + (uint64_t) timeo;
    return *deadline;
}

/* A non-blocking recv found nothing in the protocol: may it pull? (See
   `dry` in sock.h.) */
static int dry_skips(struct nn_sock *s, int flags)
{
    if (!(flags & NN_DONTWAIT) || !s->dry)
        return 0;
    return s->dry++ % NN_DRY_RETRY != 0;
}

/* For the counters that are only ever bumped under the socket lock (the
   messages and bytes sent and received, below): a relaxed load and store
   instead of a locked read-modify-write, which costs more than the rest of
   the bookkeeping of a call. nn_get_statistic reads them atomically. */
static void stat_add_locked(struct nn_sock *s, int slot, uint64_t d)
{
    nn_sock_assert_locked(s);
    __atomic_store_n(&s->stats[slot],
                     __atomic_load_n(&s->stats[slot], __ATOMIC_RELAXED) + d,
                     __ATOMIC_RELAXED);
}

int nn_sock_send(struct nn_sock *s, struct nn_msg *m, int flags)
{
    int rc;
    /* A pipe that would copy a borrowed body would do it under the lock,
       where the peer's resume waits for it: copy it now. A stale count
       only costs a copy, or saves one. */
    if (m->src && __atomic_load_n(&s->copying, __ATOMIC_RELAXED) > 0 &&
        nn_msg_own(m) != 0)
        return -ENOMEM;
    nn_sock_lock(s);
    if (!s->proto->send) {
        nn_sock_unlock(s);
        return -ENOTSUP;
    }
    int timeo = s->opt.sndtimeo;
    uint64_t deadline = 0;
    size_t len = nn_msg_bodylen(m);
    for (;;) {
        if (s->closing) {
            rc = -EBADF;
            break;
        }
        rc = s->proto->send(s->pst, m);
        if (rc != -EAGAIN || (flags & NN_DONTWAIT))
            break;
        if (timeo == 0) {
            rc = -ETIMEDOUT;
            break;
        }
        rc = sock_wait(s, NN_EV_OUT, deadline_of(timeo, &deadline), 0);
        if (rc != 0)
            break;
    }
    if (rc == 0) {
        stat_add_locked(s, NN_ST_MESSAGES_SENT, 1);
        stat_add_locked(s, NN_ST_BYTES_SENT, len);
    }
    nn_sock_unlock(s);
    return rc;
}

int nn_sock_recv(struct nn_sock *s, struct nn_msg *m, int flags)
{
    int rc;
    nn_sock_lock(s);
    if (!s->proto->recv) {
        nn_sock_unlock(s);
        return -ENOTSUP;
    }
    int timeo = s->opt.rcvtimeo;
    uint64_t deadline = 0;
    int pulls = 0;
    s->receivers++;
    receiving_on = s;
    for (;;) {
        if (s->closing) {
            rc = -EBADF;
            break;
        }
        rc = s->proto->recv(s->pst, m);
        if (rc != -EAGAIN)
            break;
        /* Input already waiting is read here: waking through the I/O
           thread costs two thread switches per message under load. The
           protocol has heard of what the pull delivered (pipe.c); the
           unlock lets other threads of this socket in between pulls. The
           budget bounds the call when the protocol drops what arrives
           (a SUB filter), so that the deadline below still holds. */
        if (pulls < 16 && !dry_skips(s, flags)) {
            if (nn_sock_pull(s, 0)) {
                if (flags & NN_DONTWAIT)
                    s->dry = 0;
                pulls++;
                nn_sock_unlock(s);
                nn_sock_lock(s);
                continue;
            }
            if ((flags & NN_DONTWAIT) && !s->dry)
                s->dry = 1;
        }
        if (flags & NN_DONTWAIT)
            break;
        if (timeo == 0) {
            rc = -ETIMEDOUT;
            break;
        }
        /* Past the budget the claimed pipes' input would wake us for
           nothing: leave it to the I/O thread. */
        rc = sock_wait(s, NN_EV_IN, deadline_of(timeo, &deadline),
                       pulls < 16);
        if (rc != 0)
            break;
    }
    if (rc == 0) {
        stat_add_locked(s, NN_ST_MESSAGES_RECEIVED, 1);
        stat_add_locked(s, NN_ST_BYTES_RECEIVED, nn_msg_bodylen(m));
        /* Read the next message now if it is there (the reference reads
           one ahead too): the socket stays readable and the pipe becomes
           or stays ours, so the next call costs no wake-up and the I/O
           thread no work. */
        if (!(s->proto->events(s->pst) & NN_EV_IN))
            nn_sock_pull(s, 1);
    }
    s->receivers--;
    receiving_on = NULL;
    if (s->receivers && s->nclaimed)
        wake_stale_receivers(s);
    nn_sock_unlock(s);
    return rc;
}

/* --- teardown ------------------------------------------------------------ */

void nn_sock_close(struct nn_sock *s)
{
    /* Refuse further work and wake every blocked caller (they see
       `closing` and fail with EBADF); the readiness fds turn readable. */
    nn_sock_lock(s);
    s->closing = 1;
    nn_sock_unlock(s);

    nn_sock_stop_eps(s);
    nn_sock_detach_all(s);

    /* Timers hold the socket while pending: stop them so that the wait for
       the last hold ends; a firing already under way finds them disarmed. */
    struct nn_list *it, *tmp;
    nn_sock_lock(s);
    nn_list_foreach(it, tmp, &s->timers)
        nn_sock_timer_stop(nn_list_entry(it, struct nn_sock_timer, item));
    nn_sock_unlock(s);
}

/* --- protocol timers ----------------------------------------------------- */

static void sock_timer_fire(struct nn_io_timer *io)
{
    struct nn_sock_timer *t = nn_list_entry(io, struct nn_sock_timer, io);
    struct nn_sock *s = t->sock;
    nn_sock_lock(s);
    /* A timer restarted while this firing waited for the lock is pending
       again: this firing belongs to the old arming. */
    if (t->armed && !nn_io_timer_pending(&t->io)) {
        t->armed = 0;
        t->fn(t);
    }
    nn_sock_unlock(s);
    nn_sock_release(s);
}

void nn_sock_timer_init(struct nn_sock_timer *t, struct nn_sock *s,
                        void (*fn)(struct nn_sock_timer *t))
{
    nn_io_timer_init(&t->io, sock_timer_fire);
    t->sock = s;
    t->fn = fn;
    t->armed = 0;
    nn_list_push(&s->timers, &t->item);
}

void nn_sock_timer_start(struct nn_sock_timer *t, int ms)
{
    nn_sock_assert_locked(t->sock);
    /* A pending timer keeps its hold on the socket; a fresh one takes it. */
    if (!nn_io_timer_cancel(&t->io))
        nn_sock_hold(t->sock);
    t->armed = 1;
    nn_io_timer_start(&t->io, ms < 0 ? 0 : ms);
}

static void timer_disarm(struct nn_sock_timer *t)
{
    t->armed = 0;
    if (nn_io_timer_cancel(&t->io))
        nn_sock_release(t->sock);
}

void nn_sock_timer_stop(struct nn_sock_timer *t)
{
    nn_sock_assert_locked(t->sock);
    timer_disarm(t);
}

/* From the protocol's destroy: no other thread can reach the socket any
   more, so no lock is needed. */
void nn_sock_timer_term(struct nn_sock_timer *t)
{
    timer_disarm(t);
    nn_list_remove(&t->item);
}

int nn_sock_maxttl(const struct nn_sock *s)
{
    return s->opt.maxttl;
}

int nn_sock_type(const struct nn_sock *s)
{
    return s->type;
}

int nn_sock_peer_ok(const struct nn_sock *s, int peer_type)
{
    return (s->type & 0xfff0) == (peer_type & 0xfff0) &&
           s->proto->peer == peer_type;
}
