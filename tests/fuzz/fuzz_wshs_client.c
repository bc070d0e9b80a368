/* libFuzzer target: the client side of the WebSocket opening handshake
   (wshandshake.c): the server's response to our request, as wsconn.c
   checks it.

   Input: 16 bytes of nonce (our Sec-WebSocket-Key), then the bytes a
   server sends. Oracles: no read outside the response; an accepted
   response has the 101 status line and carries the accept value of our
   key; our own request for that key is accepted by our server side, and
   its reply by this check. */
#include "transports/wshandshake.h"

#include "fuzz.h"

static void self_check(const char *key)
{
    char req[512], reply[NN_WSHS_REPLY_MAX];
    size_t replylen;
    int n;

    n = nn_wshs_request(req, sizeof(req), "/", "127.0.0.1:1", key,
                        "rep.sp.nanomsg.org");
    FUZZ_ASSERT(n > 0 && nn_wshs_block_len(req, (size_t) n,
                                           NN_WSHS_REQ_MAX) == n);
    FUZZ_ASSERT(nn_wshs_serve(req, (size_t) n, "rep.sp.nanomsg.org",
                              NN_WSHS_OK, reply, &replylen) == NN_WSHS_OK);
    FUZZ_ASSERT(nn_wshs_check_response(reply, replylen, key) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = {data, size};
    uint8_t nonce[NN_WSHS_NONCE_LEN];
    char key[NN_WSHS_KEY_LEN + 1], accept[NN_WSHS_ACCEPT_LEN + 1];
    const uint8_t *p;
    size_t len;
    char *resp;
    int blk;

    for (int i = 0; i < NN_WSHS_NONCE_LEN; i++)
        nonce[i] = fz_u8(&f);
    nn_wshs_key(nonce, key);
    FUZZ_ASSERT(strlen(key) == NN_WSHS_KEY_LEN);
    if (nonce[0] == 0xa5)
        self_check(key);

    p = fz_take(&f, NN_WSHS_RESP_MAX + 64, &len);
    resp = fz_dup(p, len);
    blk = nn_wshs_block_len(resp, len, NN_WSHS_RESP_MAX);
    if (blk > 0) {
        FUZZ_ASSERT((size_t) blk <= len && (size_t) blk <= NN_WSHS_RESP_MAX);
        if (nn_wshs_check_response(resp, (size_t) blk, key) == 0) {
            FUZZ_ASSERT(blk >= 12 && memcmp(resp, "HTTP/1.1 101", 12) == 0);
            nn_wshs_accept(key, strlen(key), accept);
            FUZZ_ASSERT(memmem(resp, (size_t) blk, accept,
                               NN_WSHS_ACCEPT_LEN) != NULL);
        }
    }
    free(resp);
    return 0;
}
