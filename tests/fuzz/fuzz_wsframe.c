/* libFuzzer target: the WebSocket frame decoder (wsframe.c) and its
   encoder.

   Input: a knob byte (bit 0: we are the server, so frames must be masked;
   bits 1-2: message size limit; bit 3: encoder round trip instead of raw
   bytes), a seed byte for how the stream is cut into pieces, then the
   bytes. Oracles: cutting the stream anywhere changes neither the
   messages nor the close verdict; text messages are valid UTF-8 (by a
   validator written here); in round-trip mode every message framed by
   nn_wsf_header/nn_wsf_mask comes back whole. */
#include "core/chunk.h"
#include "transports/wsframe.h"

#include "fuzz.h"

#define MAXMSGS 512

struct run {
    int nmsg;
    int op[MAXMSGS];
    void *body[MAXMSGS];
    int closed, code, peer;
    const char *reason;
};

/* RFC 3629 UTF-8, independent of wsframe.c's state machine. */
static int utf8_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static void run_free(struct run *r)
{
    for (int i = 0; i < r->nmsg; i++)
        nn_chunk_unref(r->body[i]);
    r->nmsg = 0;
}

/* Feed s[0..n) cut by `seed` (0: in one piece). */
static void decode(const uint8_t *s, size_t n, int server, uint64_t maxsize,
                   uint32_t seed, int whole, struct run *r)
{
    struct nn_wsdec d;
    struct nn_wsdec_out out;
    size_t pos = 0;

    memset(r, 0, sizeof(*r));
    nn_wsdec_init(&d, server, maxsize);
    while (pos < n && !r->closed) {
        size_t piece = whole ? n - pos : fz_step(&seed), end, used;
        enum nn_wsdec_rc rc;
        end = pos + (piece < n - pos ? piece : n - pos);
        do {
            rc = nn_wsdec_feed(&d, s + pos, end - pos, &used, &out);
            FUZZ_ASSERT(used <= end - pos);
            pos += used;
            if (rc == NN_WSDEC_MSG) {
                FUZZ_ASSERT(out.body != NULL);
                if (r->nmsg == MAXMSGS) {
                    nn_chunk_unref(out.body);
                    continue;
                }
                r->op[r->nmsg] = out.opcode;
                r->body[r->nmsg++] = out.body;
            } else if (rc == NN_WSDEC_CLOSE) {
                r->closed = 1;
                r->code = out.code;
                r->reason = out.reason;
                r->peer = out.peer_close;
            }
        } while (rc == NN_WSDEC_MSG);
        FUZZ_ASSERT(r->closed || pos == end);
    }
    nn_wsdec_term(&d);
}

static void same(const struct run *a, const struct run *b)
{
    FUZZ_ASSERT(a->nmsg == b->nmsg);
    FUZZ_ASSERT(a->closed == b->closed);
    if (a->closed) {
        FUZZ_ASSERT(a->code == b->code && a->peer == b->peer);
        FUZZ_ASSERT(strcmp(a->reason, b->reason) == 0);
    }
    for (int i = 0; i < a->nmsg; i++) {
        size_t n = nn_chunk_size(a->body[i]);
        FUZZ_ASSERT(a->op[i] == b->op[i]);
        FUZZ_ASSERT(n == nn_chunk_size(b->body[i]));
        FUZZ_ASSERT(n == 0 || memcmp(a->body[i], b->body[i], n) == 0);
        FUZZ_ASSERT(a->op[i] == 1 || a->op[i] == 2 || a->op[i] == 9 ||
                    a->op[i] == 10);
        if (a->op[i] == 1)
            FUZZ_ASSERT(utf8_ok(a->body[i], n));
    }
}

/* Round-trip mode: the rest of the input is a list of (opcode byte,
   16-bit length, payload) messages, framed as the transport frames them. */
static void roundtrip(struct fz *f, int server, uint32_t seed)
{
    static uint8_t wire[64 * (2048 + NN_WSF_HDR_MAX)];
    static const uint8_t msgop[4] = {NN_WSF_BINARY, NN_WSF_TEXT, NN_WSF_PING,
                                     NN_WSF_PONG};
    const uint8_t *pl[64];
    size_t pll[64], w = 0;
    int ops[64], k = 0;
    struct run r;

    while (f->left > 0 && k < 64) {
        int op = msgop[fz_u8(f) & 3];
        size_t want = fz_u16(f) % 2048, n;
        uint8_t mask[4] = {fz_u8(f), fz_u8(f), fz_u8(f), fz_u8(f)};
        const uint8_t *p = fz_take(f, want, &n);
        if ((op == NN_WSF_TEXT && !utf8_ok(p, n)) ||
            (op >= NN_WSF_CLOSE && n > NN_WSF_CTL_MAX))
            op = NN_WSF_BINARY;
        /* The client masks (peer of a server decoder). */
        w += nn_wsf_header(wire + w, op, n, server ? mask : NULL);
        if (server)
            nn_wsf_mask(wire + w, p, n, mask, 0);
        else
            memcpy(wire + w, p, n);
        w += n;
        ops[k] = op;
        pl[k] = p;
        pll[k++] = n;
    }
    decode(wire, w, server, UINT64_MAX, seed, 0, &r);
    FUZZ_ASSERT(!r.closed && r.nmsg == k);
    for (int i = 0; i < k; i++) {
        FUZZ_ASSERT(r.op[i] == ops[i]);
        FUZZ_ASSERT(nn_chunk_size(r.body[i]) == pll[i]);
        FUZZ_ASSERT(pll[i] == 0 || memcmp(r.body[i], pl[i], pll[i]) == 0);
    }
    run_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t limits[4] = {UINT64_MAX, 0, 100, 1 << 20};
    struct fz f = {data, size};
    uint8_t knobs = fz_u8(&f);
    uint32_t seed = fz_u8(&f) + 1;
    int server = knobs & 1;
    uint64_t maxsize = limits[(knobs >> 1) & 3];
    static struct run whole, cut;
    const uint8_t *s;
    size_t n;

    if (knobs & 8) {
        roundtrip(&f, server, seed);
        return 0;
    }
    s = fz_take(&f, SIZE_MAX, &n);
    FUZZ_ASSERT(nn_wsf_utf8_valid(s, n) == utf8_ok(s, n));
    decode(s, n, server, maxsize, seed, 1, &whole);
    decode(s, n, server, maxsize, seed, 0, &cut);
    same(&whole, &cut);
    run_free(&whole);
    run_free(&cut);
    return 0;
}
