/* libFuzzer target: the server side of the WebSocket opening handshake
   (wshandshake.c), as wsconn.c drives it: find the end of the header
   block, then judge the request and build the reply.

   Input: a byte choosing the socket type, then the bytes a client sends.
   Oracles: the block length is within bounds and ends in a blank line;
   the reply fits, is a well-formed header block (CRLF lines, nothing
   from the request able to break its framing) and its status agrees
   with the verdict. */
#include "transports/wshandshake.h"

#include "fuzz.h"

static int count_types(void)
{
    int n = 0;
    while (nn_wshs_type(n) >= 0)
        n++;
    return n;
}

static void check_reply(const char *r, size_t n, enum nn_wshs_verdict v)
{
    FUZZ_ASSERT(n > 4 && n < NN_WSHS_REPLY_MAX);
    FUZZ_ASSERT(memcmp(r + n - 4, "\r\n\r\n", 4) == 0);
    FUZZ_ASSERT(memcmp(r, v == NN_WSHS_OK ? "HTTP/1.1 101 " : "HTTP/1.1 400 ",
                       13) == 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) r[i];
        FUZZ_ASSERT(c != 0);
        if (c == '\r')
            FUZZ_ASSERT(i + 1 < n && r[i + 1] == '\n');
        if (c == '\n')
            FUZZ_ASSERT(i > 0 && r[i - 1] == '\r');
    }
    /* Exactly one blank line: the end. */
    for (size_t i = 0; i + 4 < n; i++)
        FUZZ_ASSERT(memcmp(r + i, "\r\n\r\n", 4) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ntypes;
    struct fz f = {data, size};
    const char *own;
    char reply[NN_WSHS_REPLY_MAX];
    size_t len, replylen = 12345;
    const uint8_t *p;
    char *req;
    enum nn_wshs_verdict v;
    int blk;

    if (ntypes == 0)
        ntypes = count_types();
    own = nn_wshs_name(nn_wshs_type(fz_u8(&f) % ntypes));
    FUZZ_ASSERT(own != NULL);
    p = fz_take(&f, NN_WSHS_REQ_MAX + 64, &len);
    req = fz_dup(p, len);

    blk = nn_wshs_block_len(req, len, NN_WSHS_REQ_MAX);
    if (blk == 0) {
        FUZZ_ASSERT(len < NN_WSHS_REQ_MAX);
        free(req);
        return 0;   /* the transport would wait for more */
    }
    if (blk > 0) {
        FUZZ_ASSERT((size_t) blk <= len && blk >= 4 &&
                    (size_t) blk <= NN_WSHS_REQ_MAX);
        FUZZ_ASSERT(memcmp(req + blk - 4, "\r\n\r\n", 4) == 0);
    }
    v = nn_wshs_serve(req, blk < 0 ? len : (size_t) blk, own,
                      blk < 0 ? NN_WSHS_TOO_LONG : NN_WSHS_OK, reply,
                      &replylen);
    if (blk < 0)
        FUZZ_ASSERT(v == NN_WSHS_TOO_LONG);
    check_reply(reply, replylen, v);
    free(req);
    return 0;
}
