/* test_streamcodec.c - the tcp/ipc wire codec, the outbound queue's framing
   and partial writes, and the reconnect backoff (linked with the static
   library, see the Makefile).
   Exit status 0 means every check passed. */
#include "core/chunk.h"
#include "core/msg.h"
#include "transports/backoff.h"
#include "transports/streamcodec.h"
#include "transports/streamq.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static void test_header(void)
{
    uint8_t h[8];
    static const uint8_t req[8] = {0, 0x53, 0x50, 0, 0, 0x30, 0, 0};
    static const uint8_t surveyor[8] = {0, 0x53, 0x50, 0, 0, 0x62, 0, 0};

    nn_sc_hdr_build(h, 48);
    CHECK(memcmp(h, req, 8) == 0);
    nn_sc_hdr_build(h, 98);
    CHECK(memcmp(h, surveyor, 8) == 0);
    CHECK(nn_sc_hdr_parse(h) == 98);
    nn_sc_hdr_build(h, 0xfff1);
    CHECK(nn_sc_hdr_parse(h) == 0xfff1);

    /* Reserved bytes are ignored. */
    memcpy(h, req, 8);
    h[6] = 0xff;
    h[7] = 0x01;
    CHECK(nn_sc_hdr_parse(h) == 48);

    /* Magic and version. */
    for (int i = 0; i < 4; i++) {
        memcpy(h, req, 8);
        h[i] ^= 0x01;
        CHECK(nn_sc_hdr_parse(h) == -1);
    }
    memset(h, 0, 8);
    CHECK(nn_sc_hdr_parse(h) == -1);
}

static void test_prefix(void)
{
    uint8_t p[9];
    static const uint8_t nine[8] = {0, 0, 0, 0, 0, 0, 0, 9};
    static const uint8_t big[8] = {0x01, 0x02, 0x03, 0x04,
                                   0x05, 0x06, 0x07, 0x08};

    CHECK(nn_sc_prefix(p, 0, 9) == 8);
    CHECK(memcmp(p, nine, 8) == 0);
    CHECK(nn_sc_prefix(p, 1, 9) == 9);
    CHECK(p[0] == 0x01 && memcmp(p + 1, nine, 8) == 0);
    CHECK(nn_sc_prefix(p, 0, 0x0102030405060708ull) == 8);
    CHECK(memcmp(p, big, 8) == 0);
}

/* Feed `len` bytes in pieces of `step`, collecting complete payloads
   (concatenated into out, each preceded by a one-byte length mark). */
static int feed_all(struct nn_sc_dec *d, const uint8_t *in, size_t len,
                    size_t step, int64_t maxsize, uint8_t *out, size_t *outlen,
                    int *msgs)
{
    size_t pos = 0;
    size_t used;
    int rc;

    *outlen = 0;
    *msgs = 0;
    while (pos < len) {
        size_t n = len - pos < step ? len - pos : step;
        size_t off = 0;
        while (off < n) {
            rc = nn_sc_dec_feed(d, in + pos + off, n - off, maxsize, &used);
            CHECK(used <= n - off);
            off += used;
            if (rc < 0)
                return rc;
            if (rc == NN_SC_MSG) {
                uint8_t *c = nn_sc_dec_take(d);
                size_t sz = nn_chunk_size(c);
                out[(*outlen)++] = (uint8_t) sz;
                memcpy(out + *outlen, c, sz);
                *outlen += sz;
                (*msgs)++;
                nn_chunk_unref(c);
            } else {
                CHECK(off == n);
            }
        }
        pos += n;
    }
    return 0;
}

static void test_decoder_stream(int ipc)
{
    /* Three messages: "hello", empty, 200 x 0xab; then a partial one. */
    uint8_t wire[512];
    uint8_t out[512];
    uint8_t expect[512];
    size_t wl = 0;
    size_t el = 0;
    size_t ol;
    int msgs;
    uint8_t body[200];

    memset(body, 0xab, sizeof(body));
    wl += nn_sc_prefix(wire + wl, ipc, 5);
    memcpy(wire + wl, "hello", 5);
    wl += 5;
    wl += nn_sc_prefix(wire + wl, ipc, 0);
    wl += nn_sc_prefix(wire + wl, ipc, 200);
    memcpy(wire + wl, body, 200);
    wl += 200;
    expect[el++] = 5;
    memcpy(expect + el, "hello", 5);
    el += 5;
    expect[el++] = 0;
    expect[el++] = 200;
    memcpy(expect + el, body, 200);
    el += 200;
    /* A dangling partial prefix must not produce anything. */
    wire[wl++] = ipc ? 0x01 : 0x00;
    wire[wl++] = 0x00;

    for (size_t step = 1; step <= wl; step++) {
        struct nn_sc_dec d;
        nn_sc_dec_init(&d, ipc);
        CHECK(feed_all(&d, wire, wl, step, -1, out, &ol, &msgs) == 0);
        CHECK(msgs == 3);
        CHECK(ol == el && memcmp(out, expect, el) == 0);
        CHECK(nn_sc_dec_missing(&d) == 0);
        nn_sc_dec_term(&d);
    }
}

static void test_decoder_limits(void)
{
    struct nn_sc_dec d;
    uint8_t wire[32];
    uint8_t out[64];
    size_t ol;
    size_t used;
    int msgs;
    size_t wl;

    /* Exactly the limit passes; one above fails at the prefix, before any
       allocation (no chunk held). */
    nn_sc_dec_init(&d, 0);
    wl = nn_sc_prefix(wire, 0, 4);
    memcpy(wire + wl, "abcd", 4);
    CHECK(feed_all(&d, wire, wl + 4, 3, 4, out, &ol, &msgs) == 0);
    CHECK(msgs == 1);
    nn_sc_dec_term(&d);

    nn_sc_dec_init(&d, 0);
    wl = nn_sc_prefix(wire, 0, 5);
    CHECK(nn_sc_dec_feed(&d, wire, wl, 4, &used) == NN_SC_ETOOBIG);
    CHECK(used == 8);
    CHECK(d.chunk == NULL);
    nn_sc_dec_term(&d);

    /* RCVMAXSIZE 0: only empty payloads. */
    nn_sc_dec_init(&d, 1);
    wl = nn_sc_prefix(wire, 1, 0);
    CHECK(nn_sc_dec_feed(&d, wire, wl, 0, &used) == NN_SC_MSG);
    nn_chunk_unref(nn_sc_dec_take(&d));
    wl = nn_sc_prefix(wire, 1, 1);
    CHECK(nn_sc_dec_feed(&d, wire, wl, 0, &used) == NN_SC_ETOOBIG);
    nn_sc_dec_term(&d);

    /* A hostile 2^63 - 1 length with no limit: nothing is allocated until
       bytes arrive, then only a bounded amount. */
    nn_sc_dec_init(&d, 0);
    wl = nn_sc_prefix(wire, 0, 0x7fffffffffffffffull);
    CHECK(nn_sc_dec_feed(&d, wire, wl, -1, &used) == NN_SC_ETOOBIG ||
          d.chunk == NULL);
    nn_sc_dec_term(&d);

    nn_sc_dec_init(&d, 0);
    wl = nn_sc_prefix(wire, 0, (uint64_t) 1 << 40);
    CHECK(nn_sc_dec_feed(&d, wire, wl, -1, &used) == NN_SC_MORE);
    CHECK(used == 8 && d.chunk == NULL);
    CHECK(nn_sc_dec_missing(&d) == (uint64_t) 1 << 40);
    CHECK(nn_sc_dec_feed(&d, (const uint8_t *) "xyz", 3, -1, &used) ==
          NN_SC_MORE);
    CHECK(used == 3);
    CHECK(d.cap <= NN_SC_EAGER);
    CHECK(nn_sc_dec_missing(&d) == ((uint64_t) 1 << 40) - 3);
    nn_sc_dec_term(&d);

    /* Length 2^64 - 1: refused even without a limit. */
    nn_sc_dec_init(&d, 0);
    memset(wire, 0xff, 8);
    CHECK(nn_sc_dec_feed(&d, wire, 8, -1, &used) == NN_SC_ETOOBIG);
    nn_sc_dec_term(&d);

    /* ipc: bad type byte (0x02 and 0x00). */
    nn_sc_dec_init(&d, 1);
    wl = nn_sc_prefix(wire, 1, 1);
    wire[0] = 0x02;
    CHECK(nn_sc_dec_feed(&d, wire, wl, -1, &used) == NN_SC_EPROTO);
    nn_sc_dec_term(&d);
    nn_sc_dec_init(&d, 1);
    memset(wire, 0, 9);
    CHECK(nn_sc_dec_feed(&d, wire, 9, -1, &used) == NN_SC_EPROTO);
    nn_sc_dec_term(&d);

    /* Partial payload freed by term (ASan/valgrind would catch a leak). */
    nn_sc_dec_init(&d, 0);
    wl = nn_sc_prefix(wire, 0, 100);
    memset(wire + wl, 1, 10);
    CHECK(nn_sc_dec_feed(&d, wire, wl + 10, 1000, &used) == NN_SC_MORE);
    CHECK(used == wl + 10 && d.chunk != NULL);
    nn_sc_dec_term(&d);
}

/* Large payload read "straight from the socket" via space/commit, mixed
   with feed, for a size above the eager threshold (growth path). */
static void test_decoder_direct(void)
{
    struct nn_sc_dec d;
    size_t total = NN_SC_EAGER * 3 + 12345;
    uint8_t *src = malloc(total);
    uint8_t pfx[9];
    size_t pl;
    size_t used;
    size_t pos = 0;
    int rc = NN_SC_MORE;
    int rounds = 0;

    if (src == NULL)
        return;
    for (size_t i = 0; i < total; i++)
        src[i] = (uint8_t) (i * 7 + 3);
    nn_sc_dec_init(&d, 1);
    CHECK(nn_sc_dec_space(&d, &used) == NULL && used == 0);
    pl = nn_sc_prefix(pfx, 1, total);
    CHECK(nn_sc_dec_feed(&d, pfx, pl, -1, &used) == NN_SC_MORE);
    /* First some bytes through feed. */
    CHECK(nn_sc_dec_feed(&d, src, 1000, -1, &used) == NN_SC_MORE);
    pos = 1000;
    while (rc == NN_SC_MORE) {
        size_t room;
        uint8_t *p = nn_sc_dec_space(&d, &room);
        CHECK(p != NULL && room > 0);
        if (p == NULL)
            break;
        CHECK(room <= nn_sc_dec_missing(&d));
        /* Simulate short reads of at most 64 KiB. */
        if (room > 65536)
            room = 65536;
        memcpy(p, src + pos, room);
        pos += room;
        rc = nn_sc_dec_commit(&d, room);
        rounds++;
    }
    CHECK(rc == NN_SC_MSG && pos == total);
    {
        uint8_t *c = nn_sc_dec_take(&d);
        CHECK(nn_chunk_size(c) == total);
        CHECK(memcmp(c, src, total) == 0);
        nn_chunk_unref(c);
    }
    CHECK(nn_sc_dec_space(&d, &used) == NULL);
    nn_sc_dec_term(&d);
    free(src);
}

/* A message with SP header `hdr` and a body of `len` bytes (value i % 251). */
static void mkmsg(struct nn_msg *m, const char *hdr, size_t hlen, size_t len)
{
    CHECK(nn_msg_init(m, len) == 0);
    for (size_t i = 0; i < len; i++)
        ((uint8_t *) m->body)[i] = (uint8_t) (i % 251);
    CHECK(nn_msg_set_hdr(m, hdr, hlen) == 0);
}

/* Bytes written by the queue, read back from the other end of a socket
   pair whose buffers are small, so writes are partial. */
static void test_queue(int ipc)
{
    int sv[2];
    int small = 4096;
    struct nn_sq q;
    struct nn_sq_item e;
    struct nn_msg m;
    const size_t sizes[] = {0, 5, 100000, 3, 300000};
    const size_t n = sizeof(sizes) / sizeof(sizes[0]);
    size_t expect = 0;
    size_t got = 0;
    uint8_t *rd;
    size_t i;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    nn_sq_init(&q);
    for (i = 0; i < n; i++) {
        mkmsg(&m, "\x80\0\0\x01", i == 1 ? 4 : 0, sizes[i]);
        nn_sq_frame(&e, &m, ipc);
        CHECK(nn_sq_total(&e) == (ipc ? 9u : 8u) + (i == 1 ? 4 : 0) + sizes[i]);
        expect += nn_sq_total(&e);
        CHECK(nn_sq_push(&q, &e, 0) == 0);
    }
    CHECK(q.len == n && q.bytes == expect);
    rd = malloc(expect);
    if (rd == NULL)
        return;
    /* Alternate flushing and draining until everything went through. */
    for (int rounds = 0; got < expect && rounds < 100000; rounds++) {
        ssize_t r;
        CHECK(nn_sq_flush(&q, sv[0]) == 0);
        r = read(sv[1], rd + got, expect - got);
        if (r > 0)
            got += (size_t) r;
    }
    CHECK(got == expect && q.len == 0 && q.bytes == 0);
    /* Decode what arrived and compare. */
    {
        struct nn_sc_dec d;
        size_t pos = 0;
        size_t used;
        nn_sc_dec_init(&d, ipc);
        for (i = 0; i < n; i++) {
            uint8_t *c;
            CHECK(nn_sc_dec_feed(&d, rd + pos, got - pos, -1, &used) ==
                  NN_SC_MSG);
            pos += used;
            c = nn_sc_dec_take(&d);
            if (i == 1) {
                CHECK(nn_chunk_size(c) == 9);
                CHECK(memcmp(c, "\x80\0\0\x01", 4) == 0);
                CHECK(c[4] == 0 && c[8] == 4);
            } else {
                CHECK(nn_chunk_size(c) == sizes[i]);
                for (size_t k = 0; k < sizes[i]; k++)
                    if (c[k] != (uint8_t) (k % 251)) {
                        CHECK(0);
                        break;
                    }
            }
            nn_chunk_unref(c);
        }
        CHECK(pos == got);
        nn_sc_dec_term(&d);
    }
    free(rd);

    /* A partially written head message keeps its offset; term drops the
       rest; a closed peer is an error, never SIGPIPE. */
    mkmsg(&m, "", 0, 50000);
    nn_sq_frame(&e, &m, ipc);
    CHECK(nn_sq_push(&q, &e, 10) == 0);
    CHECK(q.off == 10 && q.bytes == nn_sq_total(&e) - 10);
    close(sv[1]);
    CHECK(nn_sq_flush(&q, sv[0]) < 0);
    nn_sq_term(&q);
    CHECK(q.len == 0);
    close(sv[0]);
}

static void test_backoff(void)
{
    struct nn_backoff b;
    static const int a[] = {0, 100, 100, 100};
    static const int c[] = {0, 100, 300, 700, 1000, 1000};
    static const int e[] = {0, 200, 500, 500};

    nn_backoff_init(&b, 100, 0);
    for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
        CHECK(nn_backoff_next(&b) == a[i]);
    nn_backoff_init(&b, 100, 1000);
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        CHECK(nn_backoff_next(&b) == c[i]);
    nn_backoff_init(&b, 200, 500);
    for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
        CHECK(nn_backoff_next(&b) == e[i]);
    /* ivl 0 never overflows the multiplier. */
    nn_backoff_init(&b, 0, 0);
    for (int i = 0; i < 200; i++)
        CHECK(nn_backoff_next(&b) == 0);
    /* Huge values stay within int. */
    nn_backoff_init(&b, 0x7fffffff, 0x7fffffff);
    for (int i = 0; i < 100; i++)
        CHECK(nn_backoff_next(&b) >= 0);
}

int main(void)
{
    test_header();
    test_prefix();
    test_decoder_stream(0);
    test_decoder_stream(1);
    test_decoder_limits();
    test_decoder_direct();
    test_queue(0);
    test_queue(1);
    test_backoff();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
