/* WebSocket framing (RFC 6455 §5) as pure functions over byte buffers:
   frame headers and masking for sending, and an incremental decoder that
   turns received bytes into whole messages with the receive rules of
   libnanomsg 1.1.5 (WIRE.md §6.4). No I/O here. */
#ifndef NN_TRANSPORTS_WSFRAME_H
#define NN_TRANSPORTS_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

#define NN_WSF_CONT 0x0
#define NN_WSF_TEXT 0x1
#define NN_WSF_BINARY 0x2
#define NN_WSF_CLOSE 0x8
#define NN_WSF_PING 0x9
#define NN_WSF_PONG 0xA

#define NN_WSF_HDR_MAX 14       /* 2 + 8-byte length + 4-byte mask */
#define NN_WSF_CTL_MAX 125      /* largest control frame payload */
#define NN_WSF_CLOSE_MAX (2 + 4 + NN_WSF_CTL_MAX)

/* Header of a final (FIN) frame with `opcode` and payload length `len`;
   `mask` is the 4-byte key for client->server frames, NULL for
   server->client. Returns the header length (2 to 14). */
size_t nn_wsf_header(uint8_t out[NN_WSF_HDR_MAX], int opcode, uint64_t len,
                     const uint8_t *mask);

/* dst[i] = src[i] ^ mask[(pos + i) % 4] for `len` bytes (dst may equal
   src). Returns the mask position after the last byte, so one payload can
   be masked in several pieces. */
size_t nn_wsf_mask(uint8_t *dst, const uint8_t *src, size_t len,
                   const uint8_t mask[4], size_t pos);

/* A whole Close frame carrying `code` and `reason` (NULL or "" for none;
   cut to fit 125 bytes), masked when `mask` is given. Returns its length. */
size_t nn_wsf_close(uint8_t out[NN_WSF_CLOSE_MAX], int code,
                    const char *reason, const uint8_t *mask);

/* 1 if `len` bytes at `p` are complete, valid UTF-8. */
int nn_wsf_utf8_valid(const uint8_t *p, size_t len);

/* Incremental decoder state; one per connection. */
struct nn_wsdec {
    int server;             /* 1: frames must be masked (we are the server) */
    uint64_t maxsize;       /* largest data message; UINT64_MAX for none */
    int closed;             /* a close verdict was given; ignore the rest */

    uint8_t hdr[NN_WSF_HDR_MAX];
    size_t hdrfill;
    int inframe;            /* header parsed, payload bytes pending */
    int op, fin, masked;
    uint64_t left;          /* payload bytes of this frame still to come */
    uint64_t flen;          /* payload length of this frame */
    uint8_t mask[4];
    size_t maskpos;

    int msgop;              /* data message in progress: 1/2, or 0 */
    uint8_t *msg;           /* its chunk (see core/chunk.h) */
    size_t msglen, msgcap;
    uint32_t utf8;          /* UTF-8 validator state across fragments */

    uint8_t ctl[NN_WSF_CTL_MAX];
    size_t ctllen;
};

enum nn_wsdec_rc {
    NN_WSDEC_MORE = 0,      /* input used up; feed more */
    NN_WSDEC_MSG,           /* out->body / out->opcode hold a message */
    NN_WSDEC_CLOSE          /* send a Close frame with out->code and
                               out->reason, then close the connection */
};

struct nn_wsdec_out {
    void *body;             /* chunk owned by the caller (NN_WSDEC_MSG) */
    int opcode;             /* opcode of the first frame: 1, 2, 9 or 10 */
    int code;               /* close code for the reply (NN_WSDEC_CLOSE) */
    const char *reason;     /* static text, "" for none */
    int peer_close;         /* 1: the peer sent Close; 0: we reject it */
};

void nn_wsdec_init(struct nn_wsdec *d, int server, uint64_t maxsize);
/* Changes the largest data message accepted; a message being reassembled
   is held to the new limit from its next frame on. */
void nn_wsdec_set_max(struct nn_wsdec *d, uint64_t maxsize);
void nn_wsdec_term(struct nn_wsdec *d);

/* Consume bytes from `in`; *used says how many were taken. Returns after
   each complete message so the caller can deliver it, then feed the rest.
   A claimed length is never allocated ahead of the bytes that arrive
   beyond what maxsize allows. */
enum nn_wsdec_rc nn_wsdec_feed(struct nn_wsdec *d, const uint8_t *in,
                               size_t len, size_t *used,
                               struct nn_wsdec_out *out);

#endif
