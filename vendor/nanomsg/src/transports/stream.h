/* The stream transport engine shared by tcp, ipc and ws: a listening
   endpoint's accept loop, a connecting endpoint's attempts with reconnect
   backoff, and (streamconn.c) each tcp/ipc connection's SP header exchange
   and framed message I/O. tcp.c and ipc.c only parse addresses and make
   sockets; ws.c runs its own connections (wsconn.c) on the same endpoints.

   Threads: everything here runs on the I/O loop thread, except
   nn_stream_listen/dial/stop (application thread, no lock held) and the
   pipe ops of streamconn.c (application or loop thread, socket lock held). */
#ifndef NN_TRANSPORTS_STREAM_H
#define NN_TRANSPORTS_STREAM_H

#include "../core/transport.h"
#include "../io/loop.h"
#include "../utils/list.h"
#include "backoff.h"

struct nn_stream_ep;

/* What a transport plugs into the engine. */
struct nn_stream_vt {
    int ipc;   /* message framing: 1 = ipc (type byte), 0 = tcp */
    /* Socket options for a new connection (accepted, or before connect). */
    void (*setopts)(struct nn_stream_ep *sep, int fd);
    /* One connection attempt: a new non-blocking socket in *fd, connect()
       started. 0 (connected), -EINPROGRESS (wait for writability),
       -EALREADY (a step runs elsewhere: the transport calls
       nn_stream_dial_resume when it is done), or -errno with nothing left
       open. */
    int (*dial)(struct nn_stream_ep *sep, int *fd);
    /* The endpoint is gone (descriptors closed): release `tdata`, unlink
       the ipc path, etc. May be NULL. */
    void (*stopped)(struct nn_stream_ep *sep);
    /* Run a new connection on connected descriptor `fd` (taken in every
       case): 0 or -ENOMEM. NULL: an SP stream connection (streamconn.c).
       A transport with connections of its own keeps them out of `conns`,
       closes them in `stopped`, and calls nn_stream_conn_ended when one
       of a connecting endpoint ends. */
    int (*start)(struct nn_stream_ep *sep, int fd);
    /* First step of stop, while the listeners still run: a transport may
       hand them on (nn_stream_lsn_move). May be NULL. */
    void (*stopping)(struct nn_stream_ep *sep);
};

#define NN_STREAM_MAXLSN 4

struct nn_stream_lsn {
    struct nn_stream_ep *sep;
    int fd;
    struct nn_io_fd w;
};

struct nn_stream_ep {
    struct nn_ep *ep;
    struct nn_sock *sock;
    const struct nn_stream_vt *vt;
    void *tdata;              /* the transport's endpoint data */
    int stopping;
    struct nn_list conns;     /* live connections (streamconn.c) */

    /* Listening endpoint. */
    int nlsn;
    struct nn_stream_lsn lsn[NN_STREAM_MAXLSN];
    struct nn_io_timer accept_pause;  /* after EMFILE and friends */

    /* Connecting endpoint. */
    int dialer;
    int dialfd;               /* connect() in progress, or -1 */
    int dialwait;             /* dial returned -EALREADY */
    struct nn_io_fd dialw;
    struct nn_io_timer retry;
    struct nn_backoff backoff;
};

/* Start a listening endpoint over the given listening, non-blocking
   descriptors (taken in every case). 0 or -errno; on failure `tdata` is not
   taken. */
int nn_stream_listen(struct nn_ep *ep, const struct nn_stream_vt *vt,
                     void *tdata, const int *fds, int nfds);
/* Add listening, non-blocking descriptors (taken in every case) to a
   listening endpoint: 0 or -errno. Application thread, no lock held. */
int nn_stream_lsn_add(struct nn_stream_ep *sep, const int *fds, int nfds);
/* Loop thread: move every listener of `from` to `to`, a listening
   endpoint of the same transport (ws endpoints sharing a port pass it on
   when the one that opened it stops). One that cannot be watched again is
   closed. */
void nn_stream_lsn_move(struct nn_stream_ep *from, struct nn_stream_ep *to);
/* Start a connecting endpoint; the first attempt is made at once on the
   loop thread. 0 or -ENOMEM (tdata is then not taken). */
int nn_stream_dial(struct nn_ep *ep, const struct nn_stream_vt *vt,
                   void *tdata);
/* Loop thread: the step a dial left pending (-EALREADY) is over: 0, dial
   again to go on; -errno, the attempt failed. */
void nn_stream_dial_resume(struct nn_stream_ep *sep, int rc);
/* Transport `stop`: synchronous teardown of everything of the endpoint. */
void nn_stream_stop(struct nn_ep *ep);

/* SO_SNDBUF / SO_RCVBUF from the socket's NN_SNDBUF / NN_RCVBUF now. */
void nn_stream_setbufs(struct nn_stream_ep *sep, int fd);

/* streamconn.c, loop thread: run the SP header exchange and then the pipe
   on connected descriptor `fd` (taken in every case). 0 or -ENOMEM. */
int nn_sconn_start(struct nn_stream_ep *sep, int fd);
/* Close every connection of the endpoint (counted as dropped). */
void nn_sconn_drop_all(struct nn_stream_ep *sep);
/* stream.c: a connection of a connecting endpoint ended. */
void nn_stream_conn_ended(struct nn_stream_ep *sep);

#endif
