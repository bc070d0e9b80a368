/* Small helpers every protocol file needs: recovering a protocol state from
   an embedded member, discarding inbound data nobody asked for, and the
   int-valued protocol options (REQ_RESEND_IVL, SURVEYOR_DEADLINE). */
#ifndef NN_PROTOCOLS_PROTOUTIL_H
#define NN_PROTOCOLS_PROTOUTIL_H

#include <stddef.h>

#include "../core/proto.h"

#define nn_cont(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))

/* Take and drop every message the pipe holds (PUB and PUSH peers are not
   supposed to talk; we ignore what they send instead of failing). */
void nn_proto_drain(struct nn_pipe *p);

/* Set a non-negative int option: exact length, negative values refused
   (the reference accepts them and then aborts on the next use). */
int nn_proto_setint(int *dst, const void *val, size_t len);
/* Get an int option: the buffer must hold a whole int. */
int nn_proto_getint(int v, void *val, size_t *len);

#endif
