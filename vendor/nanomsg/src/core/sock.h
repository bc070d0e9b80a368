/* The socket object: protocol instance, options, endpoints, pipes,
   blocking waits and readiness descriptors.

   Locks of the library, and the order they may be taken in. A lock may be
   taken while holding only locks above it in this table; "leaf" locks are
   never held while taking another lock. No lock is ever held across a
   blocking wait (poll for a send or recv, nn_io_call).

   | lock              | file               | guards                              | order            |
   |-------------------|--------------------|-------------------------------------|------------------|
   | imtx              | transports/inproc.c| the inproc name map and links       | 1: before socket |
   | socket (s->mtx)   | core/sock.h        | protocol state, options, endpoints, | 2; one socket at |
   |                   |                    | pipe list, waiters, readiness fds   | a time per thread|
   | sconn rxmtx       | transports/streamconn.c | the reading itself: decoder, | 3; trylock only  |
   |                   |                    | kept bytes (held by the reader)     |                  |
   | pipe qmtx         | core/pipe.c        | a pipe's inbound queue              | leaf             |
   | sconn mtx         | transports/streamconn.c | a connection's send queue,  | leaf             |
   |                   |                    | interest, and who reads it (`rx`)   |                  |
   | wsconn mtx        | transports/wsconn.c| a ws connection's output, interest  | leaf             |
   | fq_mtx            | transports/flushq.c| connections owed a write by the loop| leaf             |
   | loop L.mtx        | io/loop.c          | timers, posted tasks                | leaf             |
   | backend mtx       | io/backend_poll.c  | the poll backend's watch table      | leaf             |
   | blkcache mtx      | core/blkcache.c    | freed large blocks kept for reuse   | leaf             |
   | glock             | core/global.c      | the socket table, holds, nn_term    | leaf             |

   Socket-lock rules: protocol callbacks and pipe ops run with it held;
   pipe events (arrivals, room to send) that reach another socket are
   queued per thread and run once the thread holds no socket lock (pipe.c),
   so two socket locks are never held together. The loop thread takes a
   socket lock only with no lock of its own held, but for a stream
   connection's rxmtx while it delivers (so receivers only try that one).
   Functions that need the
   socket lock say so with nn_sock_assert_locked(), checked in debug builds
   (NN_DEBUG_LOCKS: the sanitizer and test builds of the Makefile).

   Who reads a tcp/ipc connection is one state of the connection (the I/O
   thread, receivers that claimed it, nobody while the inbound queue is
   full or after end of stream), changed only by the transitions tabled
   in transports/streamconn.c, under its mtx; a receiving thread changes
   it from the pipe ops (pull, claim, resume) with the socket lock held,
   the I/O thread without. Whoever actually reads holds rxmtx; a receiver
   only tries it, since it holds the socket lock that a reader on the I/O
   thread may need to deliver (its rxmtx held, the loop thread takes the
   socket lock to tell the protocol). Debug builds also check every change
   of that state against the table. */
#ifndef NN_CORE_SOCK_H
#define NN_CORE_SOCK_H

#include <pthread.h>
#include <stdint.h>

#include "../utils/efd.h"
#include "../utils/list.h"
#include "proto.h"
#include "transport.h"

#define NN_SOCK_NAME_MAX 64
/* Pipes a receiving thread reads and watches itself (see pipe.c). */
#define NN_SOCK_RECENT 4
/* A dry socket's non-blocking recv pulls once in this many calls. */
#define NN_DRY_RETRY 16

/* Statistic slots; the public ids are mapped in stats.c. */
enum {
    NN_ST_ESTABLISHED, NN_ST_ACCEPTED, NN_ST_DROPPED, NN_ST_BROKEN,
    NN_ST_CONNECT_ERRORS, NN_ST_BIND_ERRORS, NN_ST_ACCEPT_ERRORS,
    NN_ST_CURRENT_CONNECTIONS, NN_ST_INPROGRESS, NN_ST_CURRENT_EP_ERRORS,
    NN_ST_MESSAGES_SENT, NN_ST_MESSAGES_RECEIVED, NN_ST_BYTES_SENT,
    NN_ST_BYTES_RECEIVED, NN_ST_COUNT
};

struct nn_sockopts {
    int sndbuf, rcvbuf, sndtimeo, rcvtimeo;
    int reconnect_ivl, reconnect_ivl_max;
    int sndprio, rcvprio, ipv4only, rcvmaxsize, maxttl;
    char name[NN_SOCK_NAME_MAX];
    /* The transports' own options (struct nn_topt), one slot each in the
       order of nn_topt_find; defaults filled in by nn_topt_defaults. */
    intptr_t *topt;
};

/* A thread blocked in send or recv on this socket. */
struct nn_waiter {
    struct nn_list item;
    struct nn_efd *efd;   /* the waiting thread's wake-up descriptor */
    int dir;         /* NN_EV_IN or NN_EV_OUT */
    int claim;       /* a receiver that polls the claimed pipes */
    unsigned gen;    /* sock->claim_gen when it built its poll set */
};

struct nn_sock {
    pthread_mutex_t mtx;
#ifdef NN_DEBUG_LOCKS
    pthread_t owner;        /* valid while owned */
    int owned;
#endif
    int handle;
    int domain, type;
    const struct nn_proto *proto;
    void *pst;
    int closing;            /* under mtx: no new calls, waiters fail EBADF */

    /* Holds keep the object alive (API calls in flight, pipes, timers);
       guarded by the global table lock. */
    int holds;
    int dying;              /* nn_close started: handle lookups fail */

    int events;             /* last protocol events seen (NN_EV_*) */
    struct nn_efd sndfd, rcvfd;   /* closed until asked for */
    struct nn_list waiters;

    struct nn_sockopts opt;
    struct nn_list eps;
    int next_eid;
    struct nn_list pipes;
    int copying;            /* attached pipes without ops->borrows; read
                               unlocked (a hint) by nn_sock_send */
    struct nn_pipe *recent[NN_SOCK_RECENT];  /* lately readable, or NULL */
    int recent_next;        /* the slot to reuse next */
    int nclaimed;           /* recent pipes watched by receivers */
    int receivers;          /* threads inside nn_sock_recv */
    unsigned claim_gen;     /* bumped whenever a pipe becomes claimed */
    /* The "dry socket" policy of non-blocking receives, under mtx.

       A program that waits for input often calls recv with NN_DONTWAIT
       first and blocks only on EAGAIN (nnpy does so for every recv, to keep
       the GIL when a message is there). The pull that such a call makes
       when the protocol has nothing is not free: it reads each recent
       connection in vain, counts it as idle (a connection idle for a few
       pulls is no longer claimed by receivers, streamconn.c), and its
       hold of the connection's receive lock can make the I/O thread give
       up its read round. When the receiver outruns its sender, it is
       vain every time, and the blocking call that follows pulls again
       anyway.

       So once a non-blocking pull has found nothing, the non-blocking
       calls that follow skip it, trying it again every NN_DRY_RETRY calls,
       until one finds input. Skipping it never hides a message: what
       the protocol holds is still returned (recv is asked first), and
       no connection is left unwatched: a claimed one is polled by a
       receiver blocked in recv, and the last receiver out gives it back to
       the I/O thread unless the socket is readable (nn_sock_unlock); the
       I/O thread reads what arrives and makes the socket readable as
       before. A skipped pull only leaves to the I/O thread
       what the caller would have read a little sooner itself.

       It is per socket, not per thread: a connection's idle count and its
       I/O-thread hand-back belong to the socket, whichever thread calls,
       and the state is read and written under the lock that recv holds
       anyway, so several receiving threads share it safely. Blocking calls
       neither read nor change it; the successful path never touches it.
       0: not dry; else 1 + the non-blocking calls since it went dry. */
    unsigned dry;
    struct nn_list timers;  /* protocol timers, stopped before teardown */
    uint64_t stats[NN_ST_COUNT];
};

/* Lock/unlock around protocol calls. Unlocking refreshes readiness (fds,
   waiters) and runs the pipe events this thread deferred meanwhile. */
void nn_sock_lock(struct nn_sock *s);
void nn_sock_unlock(struct nn_sock *s);

/* Debug builds abort, naming the function, when the calling thread does
   not hold s's lock; other builds compile it away. */
#ifdef NN_DEBUG_LOCKS
void nn_sock_assert_locked_in(const struct nn_sock *s, const char *fn);
#define nn_sock_assert_locked(s) nn_sock_assert_locked_in((s), __func__)
#else
#define nn_sock_assert_locked(s) ((void) (s))
#endif

/* Keep-alive references (see holds). */
void nn_sock_hold(struct nn_sock *s);
void nn_sock_release(struct nn_sock *s);

/* Handle table (global.c): find and hold an open socket; NULL + EBADF. */
struct nn_sock *nn_sock_acquire(int handle);

/* Socket object life (sock.c). */
int nn_sock_create(struct nn_sock **out, int domain, int type, int handle);
void nn_sock_close(struct nn_sock *s);   /* blocks until torn down */
void nn_sock_free(struct nn_sock *s);

/* Blocking send/recv of one message (sock.c). 0 or -errno. */
int nn_sock_send(struct nn_sock *s, struct nn_msg *m, int flags);
int nn_sock_recv(struct nn_sock *s, struct nn_msg *m, int flags);
/* Readiness fd of a direction, created on first use; -errno. */
int nn_sock_fd(struct nn_sock *s, int dir);

int nn_sock_setopt(struct nn_sock *s, int level, int option,
                   const void *val, size_t len);
int nn_sock_getopt(struct nn_sock *s, int level, int option,
                   void *val, size_t *len);

/* Transport options (ep.c, which knows the transports): the slot of
   (level, option) in nn_sockopts.topt and its description, or -1. */
int nn_topt_find(int level, int option, const struct nn_topt **o);
/* A new slot array holding every transport option's default, or NULL. */
intptr_t *nn_topt_defaults(void);

/* Endpoints (ep.c). */
int nn_sock_add_ep(struct nn_sock *s, const char *addr, int bind);
int nn_sock_rm_ep(struct nn_sock *s, int eid);
void nn_sock_stop_eps(struct nn_sock *s);

/* Statistics are bumped from any thread without the socket lock (except
   the message and byte counters, bumped only under it: sock.c). */
static inline void nn_stat_add(struct nn_sock *s, int slot, int64_t d)
{
    __atomic_fetch_add(&s->stats[slot], (uint64_t) d, __ATOMIC_RELAXED);
}

/* Pipes (pipe.c). */
void nn_pipe_unlocked(void);
void nn_sock_detach_all(struct nn_sock *s);
/* Under the socket lock: let the recently readable pipes read ready input
   in this thread (see nn_pipe_ops.pull; `ahead`: the caller has its
   message and reads the next in advance, and a pipe that had one is
   claimed). 1 when a message arrived; the protocol hears of it at the next
   unlock. */
int nn_sock_pull(struct nn_sock *s, int ahead);
/* Under the socket lock, before a receiver blocks: claim the recent pipes
   that are worth watching directly; their descriptors go to fds[], which
   has room for NN_SOCK_RECENT. Returns how many. */
struct pollfd;
int nn_sock_claim(struct nn_sock *s, struct pollfd *fds);
/* Give the claimed pipes' watching back to the I/O thread: all of them, or
   (`all` 0) those with no read-ahead message pending. */
void nn_sock_unclaim(struct nn_sock *s, int all);
/* Wake every thread blocked in recv (they look again). */
void nn_sock_wake_receivers(struct nn_sock *s);
/* 1 when the calling thread is inside nn_sock_recv on `s` (it will pull the
   socket's pipes before it sleeps). */
int nn_sock_receiving(const struct nn_sock *s);

/* Statistic ids (stats.c): public id -> slot, or -1. */
int nn_stat_slot(int id);

/* The library-wide state (global.c). */
int nn_global_socket(int domain, int protocol);
int nn_global_close(int handle);
void nn_global_term(void);

#endif
