/* One ws:// connection: the opening handshake in either role, then
   WebSocket frames in and out of a pipe, then a short closing linger.
   Everything but the pipe ops runs on the I/O loop thread. */
#ifndef NN_TRANSPORTS_WSCONN_H
#define NN_TRANSPORTS_WSCONN_H

#include "../core/transport.h"
#include "../utils/list.h"

struct nn_wsconn;

/* The connection failed or the peer closed it (handshake failure, I/O
   error, protocol error, Close frame, refused pipe). Called once, on the
   loop thread; the connection then finishes closing and frees itself. */
typedef void (*nn_wsconn_gone_fn)(void *owner, struct nn_wsconn *c);

/* Server: where a request for `path` (`len` bytes) belongs when several
   endpoints (of any sockets) share one listener, each with its own path.
   Fills `to` and returns 1 to move the connection there, 0 to keep it.
   Called on the loop thread while the handshake is being judged. */
struct nn_wsconn_route {
    struct nn_ep *ep;
    struct nn_list *list;    /* that endpoint's connection list */
    const char *path;        /* its bound path */
    int msgtype;
};
typedef int (*nn_wsconn_route_fn)(void *owner, const char *path, size_t len,
                                  struct nn_wsconn_route *to);

struct nn_wsconn_cfg {
    int client;              /* 1: we send the request and mask frames */
    const char *host;        /* client: Host header value */
    const char *resource;    /* client: request target; server: the only
                                path served, NULL for any */
    int msgtype;             /* default opcode of outgoing data frames */
    nn_wsconn_gone_fn gone;
    void *owner;
    nn_wsconn_route_fn route;   /* server: NULL when the listener is ours */
    void *route_owner;
};

/* Take over the connected non-blocking socket `fd` of endpoint `ep`, link
   the connection into `list` and start the handshake. NULL when out of
   resources: `fd` is closed then. Loop thread only. */
struct nn_wsconn *nn_wsconn_start(struct nn_ep *ep, int fd,
                                  const struct nn_wsconn_cfg *cfg,
                                  struct nn_list *list);

/* Tear down at once, without a Close frame (nn_close / nn_shutdown), and
   free. `gone` is not called. Loop thread only. */
void nn_wsconn_destroy(struct nn_wsconn *c);

/* The connection linked at list node `it`. */
struct nn_wsconn *nn_wsconn_of(struct nn_list *it);

#endif
