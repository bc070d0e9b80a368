/* Wire codec of the stream transports (tcp, ipc): the 8-byte SP connection
   header, the per-message length prefix, and an incremental decoder that
   turns a byte stream into message payloads. Pure functions over buffers;
   the only side effect is allocating the payload chunk. */
#ifndef NN_TRANSPORTS_STREAMCODEC_H
#define NN_TRANSPORTS_STREAMCODEC_H

#include <stddef.h>
#include <stdint.h>

#define NN_SC_HDR_LEN 8
#define NN_SC_PFX_MAX 9
#define NN_SC_IPC_MSG 0x01   /* ipc type byte of a normal message */

/* Payloads up to this size get their chunk in one allocation as soon as the
   length is known; longer ones grow with the bytes actually received, so a
   peer announcing a huge length costs us only what it really sends. The
   4 KiB over 1 MiB are for the SP header in front of a 1 MiB body, which
   would otherwise cost a reallocation and an extra read per message. */
#define NN_SC_EAGER (((size_t) 1 << 20) + 4096)

/* Our header for socket type `type`: 00 'S' 'P' 00, type (BE), 00 00. */
void nn_sc_hdr_build(uint8_t out[NN_SC_HDR_LEN], int type);
/* The peer's socket type (0..65535) from its header, or -1 when the magic
   or the version is wrong. Bytes 6-7 are ignored, as libnanomsg does. */
int nn_sc_hdr_parse(const uint8_t in[NN_SC_HDR_LEN]);

/* Message prefix for a payload of `len` bytes: the 64-bit big-endian length,
   preceded by the 0x01 type byte on ipc. Returns its size (8 or 9). */
size_t nn_sc_prefix(uint8_t out[NN_SC_PFX_MAX], int ipc, uint64_t len);

/* Decoder results. */
#define NN_SC_MORE 0        /* all input consumed, message incomplete */
#define NN_SC_MSG 1         /* a message is complete: nn_sc_dec_take it */
#define NN_SC_EPROTO (-1)   /* ipc type byte other than 0x01 */
#define NN_SC_ETOOBIG (-2)  /* length above the receive limit */
#define NN_SC_ENOMEM (-3)

struct nn_sc_dec {
    int ipc;
    uint8_t pfx[NN_SC_PFX_MAX];
    uint8_t pfxlen;   /* 8 (tcp) or 9 (ipc) */
    uint8_t pfxgot;   /* prefix bytes seen of the current message */
    int done;         /* the current message is complete, not yet taken */
    uint64_t len;     /* payload length, valid once pfxgot == pfxlen */
    uint64_t got;     /* payload bytes stored */
    uint8_t *chunk;   /* nn_chunk holding the payload so far, or NULL */
    size_t cap;       /* its size */
};

void nn_sc_dec_init(struct nn_sc_dec *d, int ipc);
/* Frees a partially received payload. */
void nn_sc_dec_term(struct nn_sc_dec *d);

/* Consume bytes from in[0..len) until a message completes or the input
   runs out; *used says how many were taken. `maxsize` is NN_RCVMAXSIZE
   (-1: no limit), checked against the length before any allocation. After
   an error the decoder must only be terminated. */
int nn_sc_dec_feed(struct nn_sc_dec *d, const uint8_t *in, size_t len,
                   int64_t maxsize, size_t *used);
/* After NN_SC_MSG: the payload as an nn_chunk of exactly its length (the
   caller's reference); the decoder is ready for the next message. */
void *nn_sc_dec_take(struct nn_sc_dec *d);

/* Payload bytes still missing for the current message (0 while the prefix
   is incomplete). */
uint64_t nn_sc_dec_missing(const struct nn_sc_dec *d);
/* Where the next payload bytes can be read straight from the socket, and how
   many fit (> 0, never more than missing). NULL when no payload is in
   progress, or on ENOMEM (then *room is 0 and nn_sc_dec_missing > 0). */
uint8_t *nn_sc_dec_space(struct nn_sc_dec *d, size_t *room);
/* `n` bytes (<= room) were written at nn_sc_dec_space: NN_SC_MSG when that
   completed the payload, else NN_SC_MORE. */
int nn_sc_dec_commit(struct nn_sc_dec *d, size_t n);

#endif
