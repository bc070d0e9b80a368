/* The transport seam: one descriptor per URL scheme, and the calls a
   transport makes into the core to turn its connections into pipes.

   Locking rules for transports:
   - bind/connect/stop are called from an application thread with no lock
     held. stop must be synchronous: when it returns, every pipe of the
     endpoint has been stopped (nn_pipe_stop) and no callback of the
     endpoint will run again. nn_io_call() is the usual way to do that.
   - pipe ops (send, resume) are called with the owning socket's lock held:
     they must not block, must not call back into the core (except
     nn_pipe_ready/nn_pipe_deliver, which defer their work), and may take
     only the transport's own leaf locks.
   - never hold a transport lock while calling nn_pipe_start, nn_pipe_stop,
     nn_pipe_deliver, nn_pipe_ready or nn_io_call. */
#ifndef NN_CORE_TRANSPORT_H
#define NN_CORE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/nanomsg/nn.h"
#include "../utils/list.h"
#include "msg.h"

struct nn_sock;
struct nn_pipe;

struct nn_ep {
    struct nn_sock *sock;
    int eid;
    int bound;                    /* 1: nn_bind, 0: nn_connect */
    char addr[NN_SOCKADDR_MAX];   /* whole address as given */
    const char *rest;             /* points into addr, after "scheme://" */
    const struct nn_transport *tp;
    void *tdata;                  /* the transport's endpoint state */
    /* Socket options snapshotted when the endpoint was created. */
    int sndprio, rcvprio, ipv4only;
    int reconnect_ivl, reconnect_ivl_max;
    int errored;                  /* core-owned: counted in EP_ERRORS */
    struct nn_list item;          /* in the socket's endpoint list */
};

/* A socket option of a transport's own, at the level of the transport's
   id (NN_TCP_NODELAY at NN_TCP). The transport declares it; the core keeps
   each socket's value and checks what nn_setsockopt is given. Transports
   read the value with nn_sock_getopt_int. */
enum {
    NN_TOPT_INT,   /* an int in [min, max] */
    NN_TOPT_PTR    /* the caller's pointer itself is kept (NN_IPC_SEC_ATTR) */
};
struct nn_topt {
    int option;
    int kind;
    int min, max, defval;
    int exact_len;                /* INT: optvallen must be sizeof(int) */
};

struct nn_transport {
    const char *scheme;           /* "inproc", "ipc", "tcp", "ws" */
    int id;                       /* NN_INPROC, NN_IPC, ...; its option level */
    const struct nn_topt *opts;   /* its own options, or NULL */
    int nopts;
    /* 0 or -errno, synchronously (address syntax, bind(2) errors). */
    int (*bind)(struct nn_ep *ep);
    int (*connect)(struct nn_ep *ep);
    void (*stop)(struct nn_ep *ep);
};

extern const struct nn_transport nn_inproc_transport;
extern const struct nn_transport nn_ipc_transport;
extern const struct nn_transport nn_tcp_transport;
extern const struct nn_transport nn_ws_transport;

/* Returned (as a bit) by nn_pipe_send / nn_pipe_recv and the pipe's send
   op when the pipe is no longer writable / readable: the protocol must then
   stop using it until its `out` / `in` callback says otherwise. */
#define NN_PIPE_RELEASE 1

struct nn_pipe_ops {
    /* Take *m for transmission. Returns 0, or NN_PIPE_RELEASE when the pipe
       cannot take another message until the transport calls
       nn_pipe_ready(). Never fails: a broken connection just discards. A
       borrowed body (msg.h) must be owned before it is kept. */
    int (*send)(struct nn_pipe *p, struct nn_msg *m);
    /* Optional. As send, but the caller's thread never writes: the message
       is queued for the I/O thread, which writes it together with whatever
       else is queued. Fan-out uses it: writing one message to many
       connections on the caller's thread costs a system call (and a wake-up
       of the peer) per connection per message; queued, many messages go out
       in each call. Without it, fan-out uses send. */
    int (*queue)(struct nn_pipe *p, struct nn_msg *m);
    /* 1: send writes a borrowed body out without a copy when it can. Else
       the core copies it before taking the socket lock (see nn_sock_send). */
    int borrows;
    /* The inbound queue, reported full by nn_pipe_deliver, has room again.
       `claim`: the caller is a thread in recv, which will pull the pipe
       when the queue runs dry; a transport with `claim` may hand it the
       input there and then, as claim(p, 1) would, and return 1. Else 0. */
    int (*resume)(struct nn_pipe *p, int claim);
    /* Optional. A thread in recv, holding the socket lock: read and
       deliver what the connection already has, in this thread, rather than
       sleep until the I/O thread has read it and woken us (or, after its
       own message, read the next one ahead). `rcvmaxsize` is NN_RCVMAXSIZE
       (the lock is held). Returns 1 when it delivered a message. Must not
       block. */
    int (*pull)(struct nn_pipe *p, int rcvmaxsize);
    /* Optional, with pull. Socket lock held. `on` 1: the receiving threads
       take over watching the connection for input (the I/O thread stops),
       and wait on the returned descriptor (POLLIN) themselves; -1 when the
       connection is not worth it (idle lately) or cannot be (closing), and
       then it is not claimed. `on` 0: the I/O thread watches again
       (idempotent). The core keeps a claimed pipe only while a thread is
       in recv or the socket is readable (see pipe.c). */
    int (*claim)(struct nn_pipe *p, int on);
};

/* A new pipe for a connection of endpoint `ep` (refcount 1, owned by the
   caller). NULL on -ENOMEM. */
struct nn_pipe *nn_pipe_new(struct nn_ep *ep, const struct nn_pipe_ops *ops,
                            void *tdata);
void *nn_pipe_tdata(const struct nn_pipe *p);
/* Pipe ops run with the socket lock held; debug builds (NN_DEBUG_LOCKS)
   abort, naming the function, when the calling thread does not hold it. */
#ifdef NN_DEBUG_LOCKS
void nn_pipe_assert_locked_in(const struct nn_pipe *p, const char *fn);
#define nn_pipe_assert_locked(p) nn_pipe_assert_locked_in((p), __func__)
#else
#define nn_pipe_assert_locked(p) ((void) (p))
#endif
struct nn_sock *nn_pipe_sock(const struct nn_pipe *p);
void nn_pipe_ref(struct nn_pipe *p);
void nn_pipe_unref(struct nn_pipe *p);

/* Hand the pipe to the socket's protocol. 0, or -1 if refused (PAIR
   already has a peer) or the socket is closing: then stop using it. A
   started pipe is writable. */
int nn_pipe_start(struct nn_pipe *p);
/* Take the pipe away from the protocol; queued inbound messages are
   dropped. Idempotent. After it returns no pipe op is running or will be
   called. */
void nn_pipe_stop(struct nn_pipe *p);
/* A whole message arrived (takes *m). Returns 1 when the inbound queue is
   now full: stop reading until ops->resume is called; else 0. */
int nn_pipe_deliver(struct nn_pipe *p, struct nn_msg *m);
/* The peer has closed. Returns 1 if nothing received is still queued:
   stop the pipe now. Otherwise 0, and ops->resume is called once the
   protocol has taken the last queued message; call nn_pipe_eof again then.
   This keeps a peer's last messages when it closes right after sending. */
int nn_pipe_eof(struct nn_pipe *p);
/* After a send returned NN_PIPE_RELEASE: the pipe can take messages. */
void nn_pipe_ready(struct nn_pipe *p);
/* Loop thread, no transport lock held: the owning socket's lock, for
   finishing a released pipe's output and making it writable in one step
   (nn_pipe_ready_locked). Otherwise a peer could receive the last bytes
   and answer before the protocol hears that the pipe is writable, and a
   replier would drop its reply; libnanomsg writes under the socket lock
   too. The transport's own locks are taken inside. */
void nn_pipe_lock(struct nn_pipe *p);
void nn_pipe_unlock(struct nn_pipe *p);
void nn_pipe_ready_locked(struct nn_pipe *p);

/* Is `peer_type` (the SP id the remote sent) acceptable to this socket? */
int nn_sock_peer_ok(const struct nn_sock *s, int peer_type);
/* The socket's own SP type id. */
int nn_sock_type(const struct nn_sock *s);
/* Current value of an int option; level NN_SOL_SOCKET or a transport
   level (NN_TCP, NN_WS, NN_IPC). */
int nn_sock_getopt_int(struct nn_sock *s, int level, int option);
/* Add `delta` to statistic `stat` (NN_STAT_*). */
void nn_sock_stat(struct nn_sock *s, int stat, int64_t delta);
/* Report an endpoint error for NN_PRINT_ERRORS and the current EP errors
   statistic; errnum 0 clears it. */
void nn_ep_set_error(struct nn_ep *ep, int errnum);

#endif
