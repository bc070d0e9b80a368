/* The protocol seam: one descriptor per socket type (cooked and raw). All
   callbacks run with the socket lock held; none may block or take another
   socket's lock. Protocols see pipes and messages only, never descriptors. */
#ifndef NN_CORE_PROTO_H
#define NN_CORE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "transport.h"   /* NN_PIPE_RELEASE */
#include "../io/loop.h"

struct nn_sock;
struct nn_pipe;

/* Bits returned by `events`: a recv / a send would not block now. */
#define NN_EV_IN 1
#define NN_EV_OUT 2

struct nn_proto {
    int type;      /* NN_PAIR, NN_REQ, ... */
    int peer;      /* wire id of the only acceptable peer type */
    int raw;       /* 1 for the AF_SP_RAW flavour */
    const char *name;   /* ws sub-protocol name of this type, e.g. "req.sp.nanomsg.org" */

    /* Create the protocol state for socket `s`; 0 or -ENOMEM. */
    int (*create)(struct nn_sock *s, void **state);
    void (*destroy)(void *state);

    /* A pipe arrives (0 to accept, -1 to refuse: PAIR's second peer) or
       leaves. A pipe starts neither readable nor writable; the core calls
       `in` / `out` right after `add` when it is. */
    int (*add)(void *state, struct nn_pipe *p);
    void (*rm)(void *state, struct nn_pipe *p);
    /* The pipe now holds a message to take / can take a message. */
    void (*in)(void *state, struct nn_pipe *p);
    void (*out)(void *state, struct nn_pipe *p);

    /* Send takes ownership of *m on success (returns 0). Otherwise returns
       -EAGAIN (would block), -EFSM or -EINVAL and leaves *m to the caller.
       NULL means the type cannot send (ENOTSUP, no NN_SNDFD). */
    int (*send)(void *state, struct nn_msg *m);
    /* Recv fills *m and returns 0, or -EAGAIN, -EFSM, -ETIMEDOUT.
       NULL means the type cannot receive (ENOTSUP, no NN_RCVFD). */
    int (*recv)(void *state, struct nn_msg *m);

    /* Options at the protocol's own level (level == type). NULL = none:
       ENOPROTOOPT. Return 0 or -errno. */
    int (*setopt)(void *state, int option, const void *val, size_t len);
    int (*getopt)(void *state, int option, void *val, size_t *len);

    /* NN_EV_IN | NN_EV_OUT as it stands now; drives blocking and the
       readiness descriptors. */
    int (*events)(void *state);

    /* NN_STAT_CURRENT_SND_PRIORITY: best priority able to send now, -1 for
       none. NULL for types other than PUSH and REQ (reads 0). */
    int (*sndprio)(void *state);
};

/* --- what protocols may call ------------------------------------------ */

/* Hand a message to a writable pipe; it always takes *m. Returns 0 or
   NN_PIPE_RELEASE when the pipe has become non-writable. */
int nn_pipe_send(struct nn_pipe *p, struct nn_msg *m);
/* As nn_pipe_send, for a message that goes to many pipes at once: the
   transport may leave the writing to its I/O thread (see ops->queue). */
int nn_pipe_send_queued(struct nn_pipe *p, struct nn_msg *m);
/* Take the next message from a readable pipe. Returns 0 or NN_PIPE_RELEASE
   when the pipe has no further message; -EAGAIN if it had none. */
int nn_pipe_recv(struct nn_pipe *p, struct nn_msg *m);

void nn_pipe_setdata(struct nn_pipe *p, void *data);
void *nn_pipe_getdata(const struct nn_pipe *p);
/* Priorities (1 best .. 16) of the endpoint the pipe belongs to. */
int nn_pipe_sndprio(const struct nn_pipe *p);
int nn_pipe_rcvprio(const struct nn_pipe *p);
/* Process-unique, never reused id of the pipe (never 0). */
uint64_t nn_pipe_id(const struct nn_pipe *p);

/* Socket options a protocol reads. */
int nn_sock_maxttl(const struct nn_sock *s);

/* Protocol timers. The callback runs with the socket lock held, only if the
   timer is still armed with the same arming; stop never waits. */
struct nn_sock_timer {
    struct nn_io_timer io;   /* owned by the core */
    struct nn_sock *sock;
    void (*fn)(struct nn_sock_timer *t);
    int armed;
    struct nn_list item;     /* in the socket's timer list, core-owned */
};
void nn_sock_timer_init(struct nn_sock_timer *t, struct nn_sock *s,
                        void (*fn)(struct nn_sock_timer *t));
/* (Re)arm to fire `ms` milliseconds from now (0 = as soon as possible). */
void nn_sock_timer_start(struct nn_sock_timer *t, int ms);
void nn_sock_timer_stop(struct nn_sock_timer *t);
/* Must be called from `destroy` for each initialised timer. */
void nn_sock_timer_term(struct nn_sock_timer *t);

/* Random 32-bit value for request / survey / hop ids. */
uint32_t nn_random_u32(void);
/* Fill `buf` from the OS; 0, or -1 when it has no entropy to give (the
   caller falls back on nn_random_u32). */
int nn_random_bytes(void *buf, size_t len);

/* Every protocol descriptor, defined in protocols/. */
extern const struct nn_proto nn_pair_proto, nn_xpair_proto;
extern const struct nn_proto nn_pub_proto, nn_xpub_proto;
extern const struct nn_proto nn_sub_proto, nn_xsub_proto;
extern const struct nn_proto nn_req_proto, nn_xreq_proto;
extern const struct nn_proto nn_rep_proto, nn_xrep_proto;
extern const struct nn_proto nn_push_proto, nn_xpush_proto;
extern const struct nn_proto nn_pull_proto, nn_xpull_proto;
extern const struct nn_proto nn_surveyor_proto, nn_xsurveyor_proto;
extern const struct nn_proto nn_respondent_proto, nn_xrespondent_proto;
extern const struct nn_proto nn_bus_proto, nn_xbus_proto;

#endif
