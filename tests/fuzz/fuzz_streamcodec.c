/* libFuzzer target: the tcp/ipc framing decoder (streamcodec.c).

   Input: one knob byte (bit 0: ipc framing; bits 1-2: receive limit;
   bit 3: also take the payload path the transport uses for large
   messages, nn_sc_dec_space/commit), one seed byte for how the stream is
   cut into pieces, then the stream as a peer would send it after the SP
   header. Oracle: whatever the cut, the decoder yields exactly the
   messages and the verdict of a plain model of the framing. */
#include "core/chunk.h"
#include "transports/streamcodec.h"

#include "fuzz.h"

#define MAXMSGS 4096

struct verdict {
    size_t nmsg;
    size_t off[MAXMSGS];     /* payload offset in the stream */
    uint64_t len[MAXMSGS];
    int rc;                  /* NN_SC_MORE at the end, or the error */
};

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The framing, read straight off the stream. */
static void model(const uint8_t *s, size_t n, int ipc, int64_t maxsize,
                  struct verdict *v)
{
    size_t pos = 0, pfx = ipc ? 9 : 8;

    v->nmsg = 0;
    v->rc = NN_SC_MORE;
    while (n - pos >= pfx && v->nmsg < MAXMSGS) {
        uint64_t len;
        if (ipc && s[pos] != 0x01) {
            v->rc = NN_SC_EPROTO;
            return;
        }
        len = be64(s + pos + pfx - 8);
        if ((maxsize >= 0 && len > (uint64_t) maxsize) ||
            len > (uint64_t) (SIZE_MAX / 2)) {
            v->rc = NN_SC_ETOOBIG;
            return;
        }
        if (len > n - pos - pfx)
            return;
        v->off[v->nmsg] = pos + pfx;
        v->len[v->nmsg] = len;
        v->nmsg++;
        pos += pfx + (size_t) len;
    }
}

static void got_msg(struct nn_sc_dec *d, const uint8_t *s,
                    const struct verdict *v, size_t *nmsg)
{
    void *body = nn_sc_dec_take(d);

    FUZZ_ASSERT(body != NULL);
    FUZZ_ASSERT(*nmsg < v->nmsg);
    FUZZ_ASSERT(nn_chunk_size(body) == v->len[*nmsg]);
    FUZZ_ASSERT(memcmp(body, s + v->off[*nmsg], (size_t) v->len[*nmsg]) == 0);
    nn_chunk_unref(body);
    (*nmsg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t limits[4] = {-1, 0, 100, 1 << 20};
    static struct verdict v;
    struct fz f = {data, size};
    uint8_t knobs = fz_u8(&f);
    uint32_t seed = fz_u8(&f);
    int ipc = knobs & 1;
    int64_t maxsize = limits[(knobs >> 1) & 3];
    int direct = (knobs >> 3) & 1;
    size_t n, pos = 0, nmsg = 0;
    const uint8_t *s = fz_take(&f, SIZE_MAX, &n);
    struct nn_sc_dec d;
    int rc = NN_SC_MORE;

    model(s, n, ipc, maxsize, &v);
    if (v.nmsg == MAXMSGS)
        return 0;
    nn_sc_dec_init(&d, ipc);
    while (pos < n && rc >= 0) {
        size_t piece = fz_step(&seed), end;
        end = pos + (piece < n - pos ? piece : n - pos);
        while (pos < end) {
            size_t room, used;
            uint8_t *dst;
            if (direct && nn_sc_dec_missing(&d) > 0 &&
                (dst = nn_sc_dec_space(&d, &room)) != NULL) {
                FUZZ_ASSERT(room > 0 && room <= nn_sc_dec_missing(&d));
                if (room > end - pos)
                    room = end - pos;
                memcpy(dst, s + pos, room);
                pos += room;
                rc = nn_sc_dec_commit(&d, room);
            } else {
                rc = nn_sc_dec_feed(&d, s + pos, end - pos, maxsize, &used);
                FUZZ_ASSERT(used <= end - pos);
                pos += used;
            }
            if (rc == NN_SC_MSG)
                got_msg(&d, s, &v, &nmsg);
            else if (rc < 0)
                break;
            else
                FUZZ_ASSERT(pos == end);
        }
    }
    FUZZ_ASSERT(nmsg == v.nmsg);
    FUZZ_ASSERT(rc < 0 ? rc == v.rc : v.rc == NN_SC_MORE);
    nn_sc_dec_term(&d);
    return 0;
}
