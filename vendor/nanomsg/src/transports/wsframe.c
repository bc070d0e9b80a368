/* WebSocket frame codec. The decoder is a byte-driven state machine: it
   never trusts a length before checking it against the limits, and it
   grows a message buffer only a bounded step ahead of the bytes that have
   actually arrived, so a peer cannot make us allocate what it only
   claims. */
#include "wsframe.h"

#include <string.h>

#include "../core/chunk.h"

/* How far ahead of the received bytes a message buffer may be grown in
   one step when the claimed length is larger (then growth doubles). */
#define NN_WSDEC_AHEAD (1024 * 1024)

size_t nn_wsf_header(uint8_t out[NN_WSF_HDR_MAX], int opcode, uint64_t len,
                     const uint8_t *mask)
{
    size_t n = 2;
    int i;

    out[0] = (uint8_t) (0x80 | (opcode & 0x0f));
    if (len <= 125) {
        out[1] = (uint8_t) len;
    } else if (len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t) (len >> 8);
        out[3] = (uint8_t) len;
        n = 4;
    } else {
        out[1] = 127;
        for (i = 0; i < 8; i++)
            out[2 + i] = (uint8_t) (len >> (56 - 8 * i));
        n = 10;
    }
    if (mask != NULL) {
        out[1] |= 0x80;
        memcpy(out + n, mask, 4);
        n += 4;
    }
    return n;
}

size_t nn_wsf_mask(uint8_t *dst, const uint8_t *src, size_t len,
                   const uint8_t mask[4], size_t pos)
{
    size_t i = 0;
    pos &= 3;

    /* Eight bytes at a time with the key rotated to the current position;
       memcpy keeps it free of alignment and aliasing assumptions. */
    if (len >= 16) {
        uint8_t k8[8];
        uint64_t k, w;
        for (i = 0; i < 8; i++)
            k8[i] = mask[(pos + i) & 3];
        memcpy(&k, k8, 8);
        for (i = 0; i + 8 <= len; i += 8) {
            memcpy(&w, src + i, 8);
            w ^= k;
            memcpy(dst + i, &w, 8);
        }
    }
    for (; i < len; i++)
        dst[i] = src[i] ^ mask[(pos + i) & 3];
    return (pos + len) & 3;
}

size_t nn_wsf_close(uint8_t out[NN_WSF_CLOSE_MAX], int code,
                    const char *reason, const uint8_t *mask)
{
    uint8_t payload[NN_WSF_CTL_MAX];
    size_t rlen = reason ? strlen(reason) : 0;
    size_t n;

    if (rlen > NN_WSF_CTL_MAX - 2)
        rlen = NN_WSF_CTL_MAX - 2;
    payload[0] = (uint8_t) (code >> 8);
    payload[1] = (uint8_t) code;
    if (rlen > 0)
        memcpy(payload + 2, reason, rlen);
    n = nn_wsf_header(out, NN_WSF_CLOSE, rlen + 2, mask);
    if (mask != NULL)
        nn_wsf_mask(out + n, payload, rlen + 2, mask, 0);
    else
        memcpy(out + n, payload, rlen + 2);
    return n + rlen + 2;
}

/* UTF-8 validation state: bytes still expected in the current sequence,
   and the allowed range of the next one (which rules out overlong forms,
   surrogates and code points above U+10FFFF). Packed as need | lo << 8 |
   hi << 16; 0 means "between sequences". */
static int nn_utf8_step(uint32_t *state, const uint8_t *p, size_t len)
{
    unsigned need = *state & 0xff;
    unsigned lo = (*state >> 8) & 0xff, hi = (*state >> 16) & 0xff;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned c = p[i];
        if (need > 0) {
            if (c < lo || c > hi)
                return -1;
            need--;
            lo = 0x80;
            hi = 0xbf;
            continue;
        }
        if (c < 0x80)
            continue;
        lo = 0x80;
        hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c == 0xe0) {
            need = 2;
            lo = 0xa0;
        } else if (c == 0xed) {
            need = 2;
            hi = 0x9f;
        } else if (c >= 0xe1 && c <= 0xef) {
            need = 2;
        } else if (c == 0xf0) {
            need = 3;
            lo = 0x90;
        } else if (c >= 0xf1 && c <= 0xf3) {
            need = 3;
        } else if (c == 0xf4) {
            need = 3;
            hi = 0x8f;
        } else {
            return -1;
        }
    }
    *state = need == 0 ? 0 : (need | lo << 8 | hi << 16);
    return 0;
}

int nn_wsf_utf8_valid(const uint8_t *p, size_t len)
{
    uint32_t st = 0;
    return nn_utf8_step(&st, p, len) == 0 && st == 0;
}

void nn_wsdec_set_max(struct nn_wsdec *d, uint64_t maxsize)
{
    d->maxsize = maxsize > SIZE_MAX ? SIZE_MAX : maxsize;
}

void nn_wsdec_init(struct nn_wsdec *d, int server, uint64_t maxsize)
{
    memset(d, 0, sizeof(*d));
    d->server = server;
    nn_wsdec_set_max(d, maxsize);
}

static void nn_wsdec_drop_msg(struct nn_wsdec *d)
{
    if (d->msg != NULL)
        nn_chunk_unref(d->msg);
    d->msg = NULL;
    d->msglen = d->msgcap = 0;
    d->msgop = 0;
    d->utf8 = 0;
}

void nn_wsdec_term(struct nn_wsdec *d)
{
    nn_wsdec_drop_msg(d);
}

/* Internal: keep going within the same feed call. */
#define NN_WSDEC_GO (-1)

static int nn_wsdec_fail(struct nn_wsdec *d, struct nn_wsdec_out *out,
                         int code, const char *reason, int peer)
{
    nn_wsdec_drop_msg(d);
    d->closed = 1;
    out->code = code;
    out->reason = reason;
    out->peer_close = peer;
    return NN_WSDEC_CLOSE;
}

static int nn_wsdec_is_control(int op)
{
    return op >= 0x8;
}

/* Checks that only need the first two header bytes. */
static int nn_wsdec_check_start(struct nn_wsdec *d, struct nn_wsdec_out *out)
{
    uint8_t b0 = d->hdr[0], b1 = d->hdr[1];
    int op = b0 & 0x0f, masked = (b1 & 0x80) != 0, code = b1 & 0x7f;

    if (b0 & 0x70)
        return nn_wsdec_fail(d, out, 1002,
                             "RSV1, RSV2, and RSV3 must be unset.", 0);
    if ((op >= 0x3 && op <= 0x7) || op >= 0xb)
        return nn_wsdec_fail(d, out, 1002, "Invalid opcode.", 0);
    if (d->server && !masked)
        return nn_wsdec_fail(d, out, 1002,
                             "Server expects MASK bit to be set.", 0);
    if (!d->server && masked)
        return nn_wsdec_fail(d, out, 1002,
                             "Client expects MASK bit to be unset.", 0);
    if (nn_wsdec_is_control(op)) {
        if (!(b0 & 0x80))
            return nn_wsdec_fail(d, out, 1002,
                                 "Cannot fragment control message (FIN=0).", 0);
        if (code > NN_WSF_CTL_MAX)
            return nn_wsdec_fail(d, out, 1002,
                                 "Control frame payload exceeds allowable length.", 0);
    } else if (op == NN_WSF_CONT && d->msgop == 0) {
        return nn_wsdec_fail(d, out, 1002, "No message to continue.", 0);
    } else if (op != NN_WSF_CONT && d->msgop != 0) {
        return nn_wsdec_fail(d, out, 1002, "Expected continuation frame opcode.", 0);
    }
    return NN_WSDEC_GO;
}

static size_t nn_wsdec_hdr_need(const struct nn_wsdec *d)
{
    size_t code = d->hdr[1] & 0x7f;
    size_t n = 2 + (code == 126 ? 2 : code == 127 ? 8 : 0);
    return n + ((d->hdr[1] & 0x80) ? 4 : 0);
}

/* The whole header is in: take the length and mask. */
static int nn_wsdec_begin(struct nn_wsdec *d, struct nn_wsdec_out *out)
{
    size_t code = d->hdr[1] & 0x7f, off = 2;
    uint64_t len = code;
    int i;

    if (code == 126) {
        len = ((uint64_t) d->hdr[2] << 8) | d->hdr[3];
        off = 4;
    } else if (code == 127) {
        len = 0;
        for (i = 0; i < 8; i++)
            len = (len << 8) | d->hdr[2 + i];
        off = 10;
    }
    d->op = d->hdr[0] & 0x0f;
    d->fin = (d->hdr[0] & 0x80) != 0;
    d->masked = (d->hdr[1] & 0x80) != 0;
    if (d->masked)
        memcpy(d->mask, d->hdr + off, 4);
    d->maskpos = 0;
    d->flen = d->left = len;
    d->inframe = 1;
    d->hdrfill = 0;

    if (nn_wsdec_is_control(d->op)) {
        d->ctllen = 0;
        return NN_WSDEC_GO;
    }
    /* Ping/pong do not count; the data message as reassembled does. */
    if (len > d->maxsize || d->msglen > d->maxsize - len)
        return nn_wsdec_fail(d, out, 1009, "Message size exceeds limit.", 0);
    if (d->op != NN_WSF_CONT) {
        d->msgop = d->op;
        d->utf8 = 0;
    }
    return NN_WSDEC_GO;
}

/* Make room for `need` message bytes; the frame ends at `end`. */
static int nn_wsdec_reserve(struct nn_wsdec *d, size_t need, size_t end)
{
    size_t cap;
    void *p;

    if (need <= d->msgcap && d->msg != NULL)
        return 0;
    if (end - need <= NN_WSDEC_AHEAD) {
        cap = end;
    } else {
        cap = d->msgcap > SIZE_MAX / 2 ? end : d->msgcap * 2;
        if (cap < need + NN_WSDEC_AHEAD)
            cap = need + NN_WSDEC_AHEAD;
        if (cap > end)
            cap = end;
    }
    p = d->msg ? nn_chunk_resize(d->msg, cap) : nn_chunk_alloc(cap);
    if (p == NULL)
        return -1;
    d->msg = p;
    d->msgcap = cap;
    return 0;
}

static void nn_wsdec_unmask(struct nn_wsdec *d, uint8_t *dst,
                            const uint8_t *src, size_t n)
{
    if (d->masked)
        d->maskpos = nn_wsf_mask(dst, src, n, d->mask, d->maskpos);
    else
        memcpy(dst, src, n);
}

static int nn_wsdec_payload(struct nn_wsdec *d, const uint8_t *src, size_t n,
                            struct nn_wsdec_out *out)
{
    if (nn_wsdec_is_control(d->op)) {
        nn_wsdec_unmask(d, d->ctl + d->ctllen, src, n);
        d->ctllen += n;
        return NN_WSDEC_GO;
    }
    if (nn_wsdec_reserve(d, d->msglen + n, d->msglen + (size_t) d->left) != 0)
        return nn_wsdec_fail(d, out, 1011, "Out of memory.", 0);
    nn_wsdec_unmask(d, d->msg + d->msglen, src, n);
    if (d->msgop == NN_WSF_TEXT &&
        nn_utf8_step(&d->utf8, d->msg + d->msglen, n) != 0)
        return nn_wsdec_fail(d, out, 1007,
                             "Invalid UTF-8 code point in payload.", 0);
    d->msglen += n;
    return NN_WSDEC_GO;
}

static int nn_wsdec_close_code_ok(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
           (code >= 3000 && code <= 4999);
}

static int nn_wsdec_control_done(struct nn_wsdec *d, struct nn_wsdec_out *out)
{
    int code;

    if (d->op == NN_WSF_CLOSE) {
        if (d->ctllen == 0)
            return nn_wsdec_fail(d, out, 1000, "", 1);
        if (d->ctllen == 1)
            return nn_wsdec_fail(d, out, 1002, "Expected 2byte close code.",
                                 0);
        code = (d->ctl[0] << 8) | d->ctl[1];
        if (!nn_wsdec_close_code_ok(code))
            return nn_wsdec_fail(d, out, 1002, "Unrecognized close code.", 0);
        if (!nn_wsf_utf8_valid(d->ctl + 2, d->ctllen - 2))
            return nn_wsdec_fail(d, out, 1002,
                                 "Invalid UTF-8 sent as Close Reason.", 0);
        return nn_wsdec_fail(d, out, code, "", 1);
    }
    /* Ping and pong are not answered but handed up as messages, which is
       what libnanomsg applications observe. */
    out->body = nn_chunk_alloc(d->ctllen);
    if (out->body == NULL)
        return nn_wsdec_fail(d, out, 1011, "Out of memory.", 0);
    if (d->ctllen > 0)
        memcpy(out->body, d->ctl, d->ctllen);
    out->opcode = d->op;
    return NN_WSDEC_MSG;
}

static int nn_wsdec_frame_done(struct nn_wsdec *d, struct nn_wsdec_out *out)
{
    d->inframe = 0;
    if (nn_wsdec_is_control(d->op))
        return nn_wsdec_control_done(d, out);
    if (!d->fin)
        return NN_WSDEC_GO;
    if (d->msgop == NN_WSF_TEXT && d->utf8 != 0)
        return nn_wsdec_fail(d, out, 1007,
                             "Truncated UTF-8 payload with invalid code point.",
                             0);
    if (d->msg == NULL && nn_wsdec_reserve(d, 0, 0) != 0)
        return nn_wsdec_fail(d, out, 1011, "Out of memory.", 0);
    out->body = d->msg;
    out->opcode = d->msgop;
    d->msg = NULL;
    d->msglen = d->msgcap = 0;
    d->msgop = 0;
    d->utf8 = 0;
    return NN_WSDEC_MSG;
}

enum nn_wsdec_rc nn_wsdec_feed(struct nn_wsdec *d, const uint8_t *in,
                               size_t len, size_t *used,
                               struct nn_wsdec_out *out)
{
    size_t i = 0, n;
    int rc;

    out->body = NULL;
    out->opcode = 0;
    out->code = 0;
    out->reason = "";
    out->peer_close = 0;
    if (d->closed) {
        *used = len;
        return NN_WSDEC_MORE;
    }
    for (;;) {
        if (!d->inframe) {
            size_t need = d->hdrfill < 2 ? 2 : nn_wsdec_hdr_need(d);
            while (d->hdrfill < need && i < len) {
                d->hdr[d->hdrfill++] = in[i++];
                if (d->hdrfill == 2) {
                    rc = nn_wsdec_check_start(d, out);
                    if (rc != NN_WSDEC_GO)
                        goto done;
                    need = nn_wsdec_hdr_need(d);
                }
            }
            if (d->hdrfill < need) {
                rc = NN_WSDEC_MORE;
                goto done;
            }
            rc = nn_wsdec_begin(d, out);
            if (rc != NN_WSDEC_GO)
                goto done;
        }
        if (d->left > 0) {
            if (i == len) {
                rc = NN_WSDEC_MORE;
                goto done;
            }
            n = len - i;
            if ((uint64_t) n > d->left)
                n = (size_t) d->left;
            rc = nn_wsdec_payload(d, in + i, n, out);
            if (rc != NN_WSDEC_GO)
                goto done;
            i += n;
            d->left -= n;
        }
        if (d->left == 0) {
            rc = nn_wsdec_frame_done(d, out);
            if (rc != NN_WSDEC_GO)
                goto done;
        }
    }
done:
    *used = i;
    return (enum nn_wsdec_rc) rc;
}
