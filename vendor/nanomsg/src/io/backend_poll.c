/* The poll(2) backend: any POSIX system. Watches live in a table under a
   mutex; the loop thread polls a private copy of it (the poll set),
   rebuilt when the table changed. A change from another thread wakes the
   loop only when it adds interest to a poll under way.

   NN_IO_RDHUP has no POSIX equivalent (POLLRDHUP is Linux's): the watch
   polls for input, and on input peeks at the socket. End of stream or an
   error is the hang-up, reported as NN_IO_ERR. Data means the watch's
   owner (threads in recv, see streamconn.c) will read it: the watch stops
   polling for input for PARK_MS, so that unread data does not spin the
   loop, then looks again. Data still there after PARKS looks means
   nobody reads: NN_IO_IN is reported so the owner reads it itself and
   a hang-up behind it is not missed. */
#include "backend.h"

#ifdef NN_IO_BACKEND_POLL

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../utils/efd.h"

#define PARK_MS 10
#define PARKS 8

static struct {
    pthread_mutex_t mtx;
    struct nn_io_fd **ws;   /* the table; w->slot is w's index */
    int n, cap;
    int dirty;              /* the table changed since the last copy */
    int polling;            /* the loop is in poll() with the copy */
    uint64_t park_next;     /* earliest parked_until, or 0 */
    struct nn_efd waker;

    /* The loop thread's. pfd[0] is the waker; pw[i] the watch of pfd[i],
       NULL when removed during the round. */
    struct pollfd *pfd;
    struct nn_io_fd **pw;
    int pn, pcap;
} P = { .mtx = PTHREAD_MUTEX_INITIALIZER };

const char *nn_iob_name(void)
{
    return "poll";
}

int nn_iob_init(void)
{
    P.cap = P.pcap = 64;
    P.ws = malloc((size_t) P.cap * sizeof(*P.ws));
    P.pfd = malloc((size_t) P.pcap * sizeof(*P.pfd));
    P.pw = malloc((size_t) P.pcap * sizeof(*P.pw));
    int rc = P.ws && P.pfd && P.pw ? nn_efd_open(&P.waker) : -ENOMEM;
    if (rc < 0) {
        P.waker.rd = -1;
        nn_iob_term();
        return rc;
    }
    P.dirty = 1;
    return 0;
}

void nn_iob_term(void)
{
    nn_efd_close(&P.waker);
    free(P.ws);
    P.ws = NULL;
    free(P.pfd);
    free(P.pw);
    P.pfd = NULL;
    P.pw = NULL;
}

void nn_iob_wake(void)
{
    nn_efd_signal(&P.waker);
}

/* Under P.mtx: the loop must see a change that adds interest. */
static void changed_locked(int adds)
{
    P.dirty = 1;
    if (adds && P.polling && !nn_io_on_loop()) {
        P.polling = 0;   /* one wake-up per poll is enough */
        nn_iob_wake();
    }
}

int nn_iob_add(struct nn_io_fd *w)
{
    pthread_mutex_lock(&P.mtx);
    if (P.n == P.cap) {
        struct nn_io_fd **ws = realloc(P.ws, (size_t) P.cap * 2 * sizeof(*ws));
        if (!ws) {
            pthread_mutex_unlock(&P.mtx);
            return -ENOMEM;
        }
        P.ws = ws;
        P.cap *= 2;
    }
    w->slot = P.n;
    P.ws[P.n++] = w;
    changed_locked(1);
    pthread_mutex_unlock(&P.mtx);
    return 0;
}

static short to_poll(const struct nn_io_fd *w, uint64_t now)
{
    short e = 0;
    if ((w->events & NN_IO_IN) ||
        ((w->events & NN_IO_RDHUP) && w->parked_until <= now))
        e |= POLLIN;
    if (w->events & NN_IO_OUT)
        e |= POLLOUT;
    return e;
}

void nn_iob_set(struct nn_io_fd *w, unsigned events)
{
    pthread_mutex_lock(&P.mtx);
    __atomic_store_n(&w->events, events, __ATOMIC_RELAXED);
    w->parks = 0;
    w->parked_until = 0;
    /* Claiming a connection turns IN into RDHUP and back, both POLLIN
       here: such changes neither rebuild the poll set (O(watches)) nor
       wake the loop, which reads w->events when it dispatches. */
    short now = to_poll(w, 0);
    if (w->snap < 0 || now != w->polled)
        changed_locked((now & ~w->polled) != 0 || w->snap < 0);
    pthread_mutex_unlock(&P.mtx);
}

void nn_iob_del(struct nn_io_fd *w)
{
    pthread_mutex_lock(&P.mtx);
    struct nn_io_fd *last = P.ws[--P.n];
    P.ws[w->slot] = last;
    last->slot = w->slot;
    changed_locked(0);
    /* The poll set is the loop thread's, which we are on. */
    if (w->snap >= 0 && w->snap < P.pn && P.pw[w->snap] == w)
        P.pw[w->snap] = NULL;
    w->snap = -1;
    pthread_mutex_unlock(&P.mtx);
}

/* Under P.mtx: copy the table into the poll set. 0 or -ENOMEM (the old
   set stays, a later round tries again). */
static int rebuild_locked(uint64_t now)
{
    if (P.pcap < P.n + 1) {
        int cap = (P.n + 1) * 2;
        struct pollfd *pfd = realloc(P.pfd, (size_t) cap * sizeof(*pfd));
        if (!pfd)
            return -ENOMEM;
        P.pfd = pfd;
        struct nn_io_fd **pw = realloc(P.pw, (size_t) cap * sizeof(*pw));
        if (!pw)
            return -ENOMEM;
        P.pw = pw;
        P.pcap = cap;
    }
    P.pfd[0].fd = P.waker.rd;
    P.pfd[0].events = POLLIN;
    P.pw[0] = NULL;
    P.park_next = 0;
    for (int i = 0; i < P.n; i++) {
        struct nn_io_fd *w = P.ws[i];
        P.pfd[i + 1].fd = w->h;
        P.pfd[i + 1].events = w->polled = to_poll(w, now);
        P.pw[i + 1] = w;
        w->snap = i + 1;
        if (w->parked_until > now &&
            (P.park_next == 0 || w->parked_until < P.park_next))
            P.park_next = w->parked_until;
    }
    P.pn = P.n + 1;
    P.dirty = 0;
    return 0;
}

/* Input on a watch that asked for hang-ups only (see the top). */
static unsigned rdhup_check(struct nn_io_fd *w)
{
    char b;
    ssize_t n = recv(w->h, &b, 1, MSG_PEEK);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                   errno != EINTR))
        return NN_IO_ERR;
    pthread_mutex_lock(&P.mtx);
    if (n < 0) {
        w->parks = 0;
    } else if (++w->parks > PARKS) {
        w->parks = 0;
        pthread_mutex_unlock(&P.mtx);
        return NN_IO_IN;
    } else {
        w->parked_until = nn_clock_ms() + PARK_MS;
        P.dirty = 1;
    }
    pthread_mutex_unlock(&P.mtx);
    return 0;
}

void nn_iob_wait(int timeout)
{
    pthread_mutex_lock(&P.mtx);
    uint64_t now = nn_clock_ms();
    if (P.park_next && P.park_next <= now)
        P.dirty = 1;   /* a parked watch polls for input again */
    if (P.dirty && rebuild_locked(now) < 0) {
        /* The old set may name freed watches: poll only the waker, and
           try again soon. */
        P.pfd[0].fd = P.waker.rd;
        P.pfd[0].events = POLLIN;
        P.pn = 1;
        if (timeout < 0 || timeout > PARK_MS)
            timeout = PARK_MS;
    }
    if (P.park_next) {
        uint64_t d = P.park_next > now ? P.park_next - now : 0;
        if (timeout < 0 || (uint64_t) timeout > d)
            timeout = (int) d;
    }
    P.polling = 1;
    pthread_mutex_unlock(&P.mtx);

    int n = poll(P.pfd, (nfds_t) P.pn, timeout);

    pthread_mutex_lock(&P.mtx);
    P.polling = 0;
    pthread_mutex_unlock(&P.mtx);
    nn_io_awake();
    if (n <= 0)
        return;
    if (P.pfd[0].revents)
        nn_efd_drain(&P.waker);
    for (int i = 1; i < P.pn; i++) {
        short r = P.pfd[i].revents;
        struct nn_io_fd *w = P.pw[i];
        if (!r || !w)
            continue;
        /* Interest taken away since the copy was made is not reported. */
        unsigned ev = __atomic_load_n(&w->events, __ATOMIC_RELAXED);
        unsigned re = 0;
        if (r & POLLIN) {
            if (ev & NN_IO_IN)
                re |= NN_IO_IN;
            else if (ev & NN_IO_RDHUP)
                re |= rdhup_check(w);
        }
        if ((r & POLLOUT) && (ev & NN_IO_OUT))
            re |= NN_IO_OUT;
        if (r & (POLLERR | POLLHUP | POLLNVAL))
            re |= NN_IO_ERR;
        if (re)
            w->cb(w, re);
    }
}

#else
typedef int nn_iob_poll_unused;
#endif
