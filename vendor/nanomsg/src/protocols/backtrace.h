/* The request/reply backtrace (WIRE.md 5.1), shared by REP and RESPONDENT,
   cooked and raw: 32-bit words whose last one has bit 31 set. */
#ifndef NN_PROTOCOLS_BACKTRACE_H
#define NN_PROTOCOLS_BACKTRACE_H

#include <stdint.h>

#include "../core/msg.h"

#define NN_BT_END 0x80000000u
/* NN_MAXTTL is at most 255 words. */
#define NN_BT_MAXWORDS 255
#define NN_BT_MAXLEN (NN_BT_MAXWORDS * 4)

/* Length in bytes of the backtrace at the front of the payload, or -1 when
   the message must be dropped: no end-of-stack word within `maxttl` words
   (too many hops, or truncated). */
int nn_bt_scan(struct nn_msg *m, int maxttl);

/* Scan, then make the header exactly the backtrace. 0, or -1 when the
   message must be dropped (the caller still owns it). */
int nn_bt_split(struct nn_msg *m, int maxttl);

#endif
