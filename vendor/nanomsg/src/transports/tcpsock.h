/* Sockets of tcp:// and ws:// endpoints: a listening socket, and the
   connect step of a dialer (nn_stream_vt.dial: look the host up, bind the
   local interface when one was named, start a non-blocking connect). */
#ifndef NN_TRANSPORTS_TCPSOCK_H
#define NN_TRANSPORTS_TCPSOCK_H

#include "resolver.h"
#include "stream.h"
#include "tcpaddr.h"

struct nn_tcpdial {
    struct nn_tcpaddr_dial d;     /* filled by the transport's parser */
    struct nn_stream_ep *sep;     /* whom the lookup reports to */
    struct nn_lookup *lookup;     /* pending, or NULL */
    int resolved;                 /* `remote` is this attempt's */
    struct nn_tcpaddr remote;
};

/* A non-blocking socket listening on `a` (SO_REUSEADDR): its descriptor,
   or -errno. */
int nn_tcpsock_listen(const struct nn_tcpaddr *a, int backlog);

/* Loop thread: one attempt of endpoint `sep` (see nn_stream_vt.dial); the new socket
   gets sep's vt->setopts before bind and connect. */
int nn_tcpdial_step(struct nn_tcpdial *t, struct nn_stream_ep *sep, int *fdp);
/* Loop thread, for `stopped`: forget a pending lookup. */
void nn_tcpdial_stop(struct nn_tcpdial *t);

#endif
