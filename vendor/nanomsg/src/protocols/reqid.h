/* What REQ and SURVEYOR share: ids carried as one header word with bit 31
   set (random start, +1 per request/survey), matching the first word of an
   answer, and the raw flavours' receive (first 4 payload bytes become the
   header, shorter payloads are dropped). */
#ifndef NN_PROTOCOLS_REQID_H
#define NN_PROTOCOLS_REQID_H

#include <stdint.h>

#include "fq.h"

#define NN_REQID_BIT 0x80000000u

/* A fresh counter; the value stored always has bit 31 set. */
uint32_t nn_reqid_start(void);
/* Advance to the id of the next request. */
uint32_t nn_reqid_next(uint32_t *id);
/* Make the header of an outbound message exactly the id word. */
int nn_reqid_stamp(struct nn_msg *m, uint32_t id);
/* 1 when the payload starts with the id word; then the id is stripped and
   *m holds only the body, as a cooked recv returns it. 0: drop it. */
int nn_reqid_take(struct nn_msg *m, uint32_t id);

/* Raw REQ / raw SURVEYOR recv: next message of at least 4 bytes from the
   fair queue, with its first word as the header. 0 or -EAGAIN. */
int nn_reqid_raw_recv(struct nn_fq *fq, struct nn_msg *m);

#endif
