/* Host names of connecting tcp and ws endpoints are looked up on a thread
   of their own, so that a slow DNS server stalls only that endpoint and not
   the I/O thread every connection shares (libnanomsg resolves
   asynchronously too). Literal addresses are parsed on the spot. */
#ifndef NN_TRANSPORTS_RESOLVER_H
#define NN_TRANSPORTS_RESOLVER_H

#include <stdint.h>

#include "tcpaddr.h"

struct nn_lookup;

/* Called on the loop thread with the outcome of nn_tcpaddr_resolve. */
typedef void (*nn_lookup_fn)(void *owner, int rc,
                             const struct nn_tcpaddr *addr);

/* Loop thread. A literal `host` is resolved at once: 1 with *out set. A
   name: 0, the lookup runs on its own thread and fn(owner, ...) follows on
   the loop thread, unless nn_lookup_cancel(slot) came first; *slot holds
   the pending lookup meanwhile. <0: -errno (bad name, or no thread could
   be started). */
int nn_lookup_start(struct nn_lookup **slot, const char *host, int ipv4only,
                    uint16_t port, nn_lookup_fn fn, void *owner,
                    struct nn_tcpaddr *out);
/* Loop thread: forget the pending lookup in *slot, if any; its callback
   will not run and the owner may go. */
void nn_lookup_cancel(struct nn_lookup **slot);

#endif
