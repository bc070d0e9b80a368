/* test_wscodec.c - the ws:// codecs as pure functions: SHA-1, base64, the
   opening handshake (client request, server verdicts and replies, client
   response check, header block detection) and the frame codec (header
   encoding, masking, the incremental decoder and its close verdicts).
   Exit status 0 means every check passed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/chunk.h"
#include "transports/base64.h"
#include "transports/sha1.h"
#include "transports/wsframe.h"
#include "transports/wshandshake.h"

#include "check.h"

/* ---- base64 ------------------------------------------------------------ */

static void test_base64(void)
{
    static const char *const plain[] = {"", "f", "fo", "foo", "foob",
                                        "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char out[32];
    uint8_t raw[32];
    size_t i;
    int n;

    for (i = 0; i < 7; i++) {
        n = nn_base64_encode(plain[i], strlen(plain[i]), out, sizeof(out));
        CHECK(n == (int) strlen(coded[i]) && strcmp(out, coded[i]) == 0);
        n = nn_base64_decode(coded[i], strlen(coded[i]), raw, sizeof(raw));
        CHECK(n == (int) strlen(plain[i]) &&
              memcmp(raw, plain[i], (size_t) n) == 0);
    }
    /* Binary round trip over every byte value. */
    {
        uint8_t all[256], back[256];
        char text[NN_BASE64_LEN(256) + 1];
        for (i = 0; i < 256; i++)
            all[i] = (uint8_t) i;
        CHECK(nn_base64_encode(all, 256, text, sizeof(text)) ==
              NN_BASE64_LEN(256));
        CHECK(nn_base64_decode(text, strlen(text), back, sizeof(back)) == 256);
        CHECK(memcmp(all, back, 256) == 0);
    }
    CHECK(nn_base64_encode("foo", 3, out, 4) == -1);   /* no room for NUL */
    CHECK(nn_base64_encode("foo", 3, out, 5) == 4);
    CHECK(nn_base64_decode("Zg=", 3, raw, sizeof(raw)) == -1);
    CHECK(nn_base64_decode("Z===", 4, raw, sizeof(raw)) == -1);
    CHECK(nn_base64_decode("Zg=a", 4, raw, sizeof(raw)) == -1);
    CHECK(nn_base64_decode("Zg==Zg==", 8, raw, sizeof(raw)) == -1);
    CHECK(nn_base64_decode("Zm9v!A==", 8, raw, sizeof(raw)) == -1);
    CHECK(nn_base64_decode("Zm9vYmFy", 8, raw, 5) == -1);
}

/* ---- sha1 -------------------------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha1_hex(const void *data, size_t len, size_t step, char *out)
{
    struct nn_sha1 c;
    uint8_t d[NN_SHA1_LEN];
    const uint8_t *p = data;
    size_t off = 0;

    nn_sha1_init(&c);
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        nn_sha1_update(&c, p + off, n);
        off += n;
    }
    nn_sha1_final(&c, d);
    hex(d, sizeof(d), out);
}

static void test_sha1(void)
{
    char h[41], h2[41];
    size_t len, step;
    char *million;
    uint8_t buf[130];

    sha1_hex("", 0, 1, h);
    CHECK(strcmp(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709") == 0);
    sha1_hex("abc", 3, 1, h);
    CHECK(strcmp(h, "a9993e364706816aba3e25717850c26c9cd0d89d") == 0);
    sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
             7, h);
    CHECK(strcmp(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1") == 0);
    sha1_hex("The quick brown fox jumps over the lazy dog", 43, 43, h);
    CHECK(strcmp(h, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12") == 0);
    million = malloc(1000000);
    CHECK(million != NULL);
    if (million) {
        memset(million, 'a', 1000000);
        sha1_hex(million, 1000000, 4093, h);
        CHECK(strcmp(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);
        free(million);
    }
    /* Padding boundaries: split feeding must agree with one update. */
    for (len = 0; len < sizeof(buf); len++)
        buf[len] = (uint8_t) (len * 7 + 1);
    for (len = 50; len < sizeof(buf); len++)
        for (step = 1; step < 70; step += 13) {
            sha1_hex(buf, len, len ? len : 1, h);
            sha1_hex(buf, len, step, h2);
            CHECK(strcmp(h, h2) == 0);
        }
}

/* ---- handshake --------------------------------------------------------- */

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char req74[] =
    "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:5555\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: " KEY "\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n"
    "\r\n";

static const char resp74[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " ACCEPT "\r\n"
    "Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n"
    "\r\n";

static enum nn_wshs_verdict serve(const char *req, const char *own,
                                  char *out, size_t *outlen)
{
    return nn_wshs_serve(req, strlen(req), own, NN_WSHS_OK, out, outlen);
}

/* Serve a request expecting a refusal with the given status text; every
   refusal names version 13 and says the connection closes. */
static void expect_400(const char *req, const char *own,
                       enum nn_wshs_verdict want, const char *status,
                       const char *version)
{
    char out[NN_WSHS_REPLY_MAX], expect[NN_WSHS_REPLY_MAX];
    size_t outlen = 0;

    (void) version;
    snprintf(expect, sizeof(expect),
             "HTTP/1.1 %s\r\nSec-WebSocket-Version: 13\r\n"
             "Connection: close\r\n\r\n", status);
    CHECK(serve(req, own, out, &outlen) == want);
    CHECK(outlen == strlen(expect) && memcmp(out, expect, outlen) == 0);
}

static void expect_path(const char *req, const char *path,
                        enum nn_wshs_verdict want)
{
    char out[NN_WSHS_REPLY_MAX];
    size_t outlen = 0;

    CHECK(nn_wshs_serve_path(req, strlen(req), "rep.sp.nanomsg.org", path,
                             NN_WSHS_OK, out, &outlen) == want);
    CHECK(outlen > 0);
    if (want == NN_WSHS_NOT_FOUND)
        CHECK(strncmp(out, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
}

/* The 7.4 request with header line `from` replaced by `to` ("" drops). */
static void edit(const char *from, const char *to, char *out, size_t outsz)
{
    const char *at = strstr(req74, from);
    size_t pre = (size_t) (at - req74);

    snprintf(out, outsz, "%.*s%s%s", (int) pre, req74, to,
             at + strlen(from));
}

static void test_handshake_keys(void)
{
    uint8_t nonce[16] = "the sample nonce";
    char key[NN_WSHS_KEY_LEN + 1], acc[NN_WSHS_ACCEPT_LEN + 1];

    nn_wshs_key(nonce, key);
    CHECK(strcmp(key, KEY) == 0);
    nn_wshs_accept(KEY, strlen(KEY), acc);
    CHECK(strcmp(acc, ACCEPT) == 0);
}

#define CHECK_RESP(text, key) nn_wshs_check_response(text, strlen(text), key)

static void test_handshake_client(void)
{
    char buf[512];
    char resp[600];
    int n;

    n = nn_wshs_request(buf, sizeof(buf), "/", "127.0.0.1:5555", KEY,
                        "rep.sp.nanomsg.org");
    CHECK(n == (int) strlen(req74) && strcmp(buf, req74) == 0);
    CHECK(n == 197);
    CHECK(nn_wshs_request(buf, 100, "/", "h", KEY, "rep.sp.nanomsg.org") ==
          -1);
    CHECK(nn_wshs_request(buf, 197, "/", "127.0.0.1:5555", KEY,
                          "rep.sp.nanomsg.org") == -1);
    n = nn_wshs_request(buf, sizeof(buf), "/a/b?c=d", "localhost", KEY,
                        "pair.sp.nanomsg.org");
    CHECK(n > 0 && strncmp(buf, "GET /a/b?c=d HTTP/1.1\r\nHost: localhost\r\n",
                           40) == 0);

    CHECK(strlen(resp74) == 173);
    CHECK(nn_wshs_check_response(resp74, strlen(resp74), KEY) == 0);
    CHECK(nn_wshs_check_response(resp74, strlen(resp74),
                                 "AAAAAAAAAAAAAAAAAAAAAA==") == -1);
    /* Names and the Upgrade/Connection values are case-insensitive, the
       protocol line is optional. */
    CHECK(CHECK_RESP("HTTP/1.1 101 OK\r\nUPGRADE: WebSocket\r\n"
                     "connection: upgrade\r\n"
                     "sec-websocket-accept: " ACCEPT "\r\n\r\n",
                     KEY) == 0);
    CHECK(CHECK_RESP("HTTP/1.1 101\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n",
                     KEY) == 0);
    snprintf(resp, sizeof(resp), "%s", resp74);
    memcpy(resp, "HTTP/1.0", 8);
    CHECK(nn_wshs_check_response(resp, strlen(resp), KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 400 Cannot Have Body\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 1010 Switching\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n",
                     KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 101 X\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n",
                     KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n"
                     "Connection: keep-alive, Upgrade\r\n"
                     "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n",
                     KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\n\r\n",
                     KEY) == -1);
    CHECK(CHECK_RESP("", KEY) == -1);
    CHECK(CHECK_RESP("HTTP/1.1 101", KEY) == -1);
}

static void test_block_len(void)
{
    char big[5000];

    CHECK(nn_wshs_block_len(req74, 10, NN_WSHS_REQ_MAX) == 0);
    CHECK(nn_wshs_block_len(req74, strlen(req74) - 1, NN_WSHS_REQ_MAX) == 0);
    CHECK(nn_wshs_block_len(req74, strlen(req74), NN_WSHS_REQ_MAX) ==
          (int) strlen(req74));
    /* Bytes after the block (a first frame) are not part of it. */
    memcpy(big, req74, strlen(req74));
    memcpy(big + strlen(req74), "\x82\x00", 2);
    CHECK(nn_wshs_block_len(big, strlen(req74) + 2, NN_WSHS_REQ_MAX) ==
          (int) strlen(req74));
    /* A block ending exactly at the limit is fine, one byte more is not. */
    memset(big, 'x', sizeof(big));
    memcpy(big + 4096 - 4, "\r\n\r\n", 4);
    CHECK(nn_wshs_block_len(big, 4096, NN_WSHS_REQ_MAX) == 4096);
    CHECK(nn_wshs_block_len(big + 1, 4096, NN_WSHS_REQ_MAX) == 4095);
    memset(big, 'x', sizeof(big));
    memcpy(big + 4097 - 4, "\r\n\r\n", 4);
    CHECK(nn_wshs_block_len(big, 4095, NN_WSHS_REQ_MAX) == 0);
    CHECK(nn_wshs_block_len(big, 4096, NN_WSHS_REQ_MAX) == -1);
    CHECK(nn_wshs_block_len(big, 4097, NN_WSHS_REQ_MAX) == -1);
    CHECK(nn_wshs_block_len(big, 511, NN_WSHS_RESP_MAX) == -1);
    CHECK(nn_wshs_block_len(big, 0, NN_WSHS_RESP_MAX) == 0);
}

static void test_handshake_server(void)
{
    char out[NN_WSHS_REPLY_MAX], req[1024];
    size_t outlen = 0;
    char longver[100];

    CHECK(serve(req74, "rep.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    CHECK(outlen == strlen(resp74) && memcmp(out, resp74, outlen) == 0);

    /* Case-insensitive names and values; Connection containing upgrade;
       spaces around values trimmed; unknown headers skipped. */
    CHECK(serve("GET /any/path?x HTTP/1.1\r\n"
                "hOsT: example\r\n"
                "X-Other: whatever\r\n"
                "UPGRADE:   WebSocket  \r\n"
                "connection: keep-alive, Upgrade\r\n"
                "SEC-WEBSOCKET-KEY:  " KEY "\t\r\n"
                "sec-websocket-version: 13\r\n"
                "Sec-Websocket-Protocol: REP.SP.NANOMSG.ORG\r\n"
                "Origin: http://x\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                "\r\n",
                "rep.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    CHECK(strstr(out, "Sec-WebSocket-Accept: " ACCEPT "\r\n") != NULL);
    CHECK(strstr(out, "Sec-WebSocket-Protocol: REP.SP.NANOMSG.ORG\r\n\r\n") !=
          NULL);

    /* Each malformed request gets a reason that names its fault. */
    edit("Host: 127.0.0.1:5555\r\n", "", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_HOST,
               "400 Missing Host", "");
    edit("Host: 127.0.0.1:5555\r\n", "Host:  \r\n", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_HOST,
               "400 Missing Host", "");
    edit("Upgrade: websocket\r\n", "", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_UPGRADE,
               "400 Upgrade Must Be websocket", "");
    edit("Upgrade: websocket\r\n", "Upgrade: h2c\r\n", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_UPGRADE,
               "400 Upgrade Must Be websocket", "");
    edit("Upgrade: websocket\r\n", "Upgrade: websockets\r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_UPGRADE,
               "400 Upgrade Must Be websocket", "");
    edit("Connection: Upgrade\r\n", "", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_CONNECTION,
               "400 Connection Must Include Upgrade", "");
    edit("Connection: Upgrade\r\n", "Connection: keep-alive\r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_CONNECTION,
               "400 Connection Must Include Upgrade", "");
    /* A token, not a substring. */
    edit("Connection: Upgrade\r\n", "Connection: upgraded\r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_CONNECTION,
               "400 Connection Must Include Upgrade", "");
    edit("Connection: Upgrade\r\n", "Connection: close,Upgrade \r\n", req,
         sizeof(req));
    CHECK(serve(req, "rep.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    edit("Sec-WebSocket-Key: " KEY "\r\n", "", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_KEY,
               "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes", "");
    edit("Sec-WebSocket-Key: " KEY "\r\n", "Sec-WebSocket-Key:   \r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_KEY,
               "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes", "");
    {
        /* Not 16 bytes, not base64, not canonical, too long. */
        static const char *bad[] = {
            "c2hvcnQ=", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=",
            "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZR==",
            "dGhlIHNhbX!sZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ.=",
            "dGhlIHNhbXBsZSBub25jZS==", "dGhlIHNhbXBsZSBub25jZQ==AAAA"};
        char line[128];
        size_t i;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            snprintf(line, sizeof(line), "Sec-WebSocket-Key: %s\r\n", bad[i]);
            edit("Sec-WebSocket-Key: " KEY "\r\n", line, req, sizeof(req));
            expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_KEY,
                       "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes", "");
        }
    }
    {
        char big[3200];
        char longkey[3001];

        memset(longkey, 'A', 3000);
        longkey[3000] = '\0';
        snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\n"
                 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n",
                 longkey);
        expect_400(big, "rep.sp.nanomsg.org", NN_WSHS_BAD_KEY,
                   "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes", "");
    }
    /* Keys ending in each character allowed there are fine. */
    edit("Sec-WebSocket-Key: " KEY "\r\n",
         "Sec-WebSocket-Key: +/+/AAAAzzzz9999AAAAww==\r\n", req, sizeof(req));
    CHECK(serve(req, "rep.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    edit("Sec-WebSocket-Version: 13\r\n", "", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_VERSION,
               "400 Unsupported WebSocket Version", "");
    edit("Sec-WebSocket-Version: 13\r\n", "X-No-Colon\r\n", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_FIELD,
               "400 Malformed Header Field", "");
    edit("Host: 127.0.0.1:5555\r\n", ": nameless\r\nHost: h\r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_FIELD,
               "400 Malformed Header Field", "");

    /* Version. */
    edit("Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Version: 8\r\n", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_VERSION,
               "400 Unsupported WebSocket Version", "8");
    memset(longver, '9', 80);
    longver[80] = '\0';
    {
        char line[128];
        snprintf(line, sizeof(line), "Sec-WebSocket-Version: %s\r\n", longver);
        edit("Sec-WebSocket-Version: 13\r\n", line, req, sizeof(req));
        /* Too long to echo safely: echoed empty. */
        expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_VERSION,
                   "400 Unsupported WebSocket Version", "");
    }

    /* Sub-protocols. */
    expect_400(req74, "req.sp.nanomsg.org", NN_WSHS_INCOMPATIBLE,
               "400 Incompatible Socket Type", "13");
    edit("rep.sp.nanomsg.org", "foo.sp.nanomsg.org", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_UNRECOGNIZED,
               "400 Unrecognized Socket Type", "13");
    edit("rep.sp.nanomsg.org", "rep.sp.nanomsg.org, pair.sp.nanomsg.org",
         req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_UNRECOGNIZED,
               "400 Unrecognized Socket Type", "13");
    edit("Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n", "", req,
         sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_INCOMPATIBLE,
               "400 Incompatible Socket Type", "13");
    CHECK(serve(req, "pair.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    CHECK(outlen > 28 &&
          memcmp(out + outlen - 28, "Sec-WebSocket-Protocol: \r\n\r\n", 28) ==
              0);
    CHECK(strstr(out, "Sec-WebSocket-Protocol: \r\n\r\n") != NULL);

    /* Request lines other than `GET <uri> HTTP/1.1`: 400, no abort. */
    edit("GET / HTTP/1.1", "POST / HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET / HTTP/1.0", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "get / HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET  / HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET / HTTP/1.1 ", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET x HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET //h/x HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET /a\x01 HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    edit("GET / HTTP/1.1", "GET HTTP/1.1", req, sizeof(req));
    expect_400(req, "rep.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    expect_400("\r\n\r\n", "pair.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");
    expect_400("", "pair.sp.nanomsg.org", NN_WSHS_BAD_REQUEST,
               "400 Bad Request Line", "");

    /* nng's request line for a URL without a path: the target is empty,
       which means "/". */
    edit("GET / HTTP/1.1", "GET  HTTP/1.1", req, sizeof(req));
    CHECK(serve(req, "rep.sp.nanomsg.org", out, &outlen) == NN_WSHS_OK);
    CHECK(outlen == strlen(resp74) && memcmp(out, resp74, outlen) == 0);
    expect_path(req, "/", NN_WSHS_OK);
    expect_path(req, "/a", NN_WSHS_NOT_FOUND);

    /* Bound paths: the path must match exactly but for one trailing '/';
       the query is no part of it; absolute-form targets count by their
       path. */
    expect_path(req74, NULL, NN_WSHS_OK);
    expect_path(req74, "/", NN_WSHS_OK);
    expect_path(req74, "/a", NN_WSHS_NOT_FOUND);
    edit("GET / HTTP/1.1", "GET /a/b?x=1&y HTTP/1.1", req, sizeof(req));
    expect_path(req, "/a/b", NN_WSHS_OK);
    expect_path(req, "/a", NN_WSHS_NOT_FOUND);
    expect_path(req, "/a/b/", NN_WSHS_OK);
    expect_path(req, "/a/b//", NN_WSHS_NOT_FOUND);
    expect_path(req, "/a/", NN_WSHS_NOT_FOUND);
    edit("GET / HTTP/1.1", "GET /a/b/?x HTTP/1.1", req, sizeof(req));
    expect_path(req, "/a/b", NN_WSHS_OK);
    expect_path(req, "/", NN_WSHS_NOT_FOUND);
    edit("GET / HTTP/1.1", "GET /a/b HTTP/1.1", req, sizeof(req));
    expect_path(req, NULL, NN_WSHS_OK);
    edit("GET / HTTP/1.1", "GET ws://h:1/a/b HTTP/1.1", req, sizeof(req));
    expect_path(req, "/a/b", NN_WSHS_OK);
    edit("GET / HTTP/1.1", "GET http://h HTTP/1.1", req, sizeof(req));
    expect_path(req, "/", NN_WSHS_OK);
    edit("GET / HTTP/1.1", "GET /?q HTTP/1.1", req, sizeof(req));
    expect_path(req, "/", NN_WSHS_OK);
    /* A wrong path beats a wrong socket type; a malformed request beats
       the path. */
    edit("GET / HTTP/1.1", "GET /b HTTP/1.1", req, sizeof(req));
    CHECK(nn_wshs_serve_path(req, strlen(req), "req.sp.nanomsg.org", "/a",
                             NN_WSHS_OK, out, &outlen) == NN_WSHS_NOT_FOUND);
    edit("Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Version: 12\r\n",
         req, sizeof(req));
    CHECK(nn_wshs_serve_path(req, strlen(req), "rep.sp.nanomsg.org", "/a",
                             NN_WSHS_OK, out, &outlen) == NN_WSHS_BAD_VERSION);

    /* Oversize: the caller forces the verdict on the partial request. */
    CHECK(nn_wshs_serve(req74, 120, "rep.sp.nanomsg.org", NN_WSHS_TOO_LONG,
                        out, &outlen) == NN_WSHS_TOO_LONG);
    CHECK(outlen == strlen("HTTP/1.1 400 Opening Handshake Too Long\r\n"
                           "Sec-WebSocket-Version: 13\r\n"
                           "Connection: close\r\n\r\n"));
    CHECK(nn_wshs_serve(req74, strlen(req74) - 2, "rep.sp.nanomsg.org",
                        NN_WSHS_TOO_LONG, out, &outlen) == NN_WSHS_TOO_LONG);
    CHECK(memcmp(out,
                 "HTTP/1.1 400 Opening Handshake Too Long\r\n"
                 "Sec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n",
                 outlen) == 0);
}

/* ---- frames ------------------------------------------------------------ */

static const uint8_t MASK[4] = {0x11, 0x22, 0x33, 0x44};

/* A raw frame with arbitrary flag bits (b0 = FIN|RSV|opcode). */
static size_t frame(uint8_t *out, uint8_t b0, int masked, const void *payload,
                    uint64_t len)
{
    size_t n = nn_wsf_header(out, 0, len, masked ? MASK : NULL);
    out[0] = b0;
    if (len > 0 && payload != NULL) {
        if (masked)
            nn_wsf_mask(out + n, payload, (size_t) len, MASK, 0);
        else
            memcpy(out + n, payload, (size_t) len);
    }
    return n + (size_t) len;
}

static void test_frame_header(void)
{
    uint8_t h[NN_WSF_HDR_MAX];
    size_t n;

    n = nn_wsf_header(h, NN_WSF_BINARY, 5, NULL);
    CHECK(n == 2 && h[0] == 0x82 && h[1] == 0x05);
    n = nn_wsf_header(h, NN_WSF_TEXT, 5, MASK);
    CHECK(n == 6 && h[0] == 0x81 && h[1] == 0x85 && memcmp(h + 2, MASK, 4) == 0);
    n = nn_wsf_header(h, NN_WSF_BINARY, 125, NULL);
    CHECK(n == 2 && h[1] == 125);
    n = nn_wsf_header(h, NN_WSF_BINARY, 126, NULL);
    CHECK(n == 4 && h[1] == 126 && h[2] == 0 && h[3] == 126);
    n = nn_wsf_header(h, NN_WSF_BINARY, 300, MASK);
    CHECK(n == 8 && h[1] == 0xfe && h[2] == 0x01 && h[3] == 0x2c);
    n = nn_wsf_header(h, NN_WSF_BINARY, 65535, NULL);
    CHECK(n == 4 && h[1] == 126 && h[2] == 0xff && h[3] == 0xff);
    n = nn_wsf_header(h, NN_WSF_BINARY, 65536, NULL);
    CHECK(n == 10 && h[1] == 127 &&
          memcmp(h + 2, "\x00\x00\x00\x00\x00\x01\x00\x00", 8) == 0);
    n = nn_wsf_header(h, NN_WSF_BINARY, 70000, MASK);
    CHECK(n == 14 && h[1] == 0xff &&
          memcmp(h + 2, "\x00\x00\x00\x00\x00\x01\x11\x70", 8) == 0);
}

static void test_mask(void)
{
    const uint8_t plain[9] = {0x80, 0, 0, 1, 'h', 'e', 'l', 'l', 'o'};
    const uint8_t wire[9] = {0x91, 0x22, 0x33, 0x45, 0x79,
                             0x47, 0x5f, 0x28, 0x7e};
    uint8_t out[9], big[100], big2[100], back[100];
    size_t pos, i, cut;

    CHECK(nn_wsf_mask(out, plain, 9, MASK, 0) == 1);
    CHECK(memcmp(out, wire, 9) == 0);
    /* In pieces, the key position carries over. */
    pos = nn_wsf_mask(out, plain, 4, MASK, 0);
    pos = nn_wsf_mask(out + 4, plain + 4, 5, MASK, pos);
    CHECK(memcmp(out, wire, 9) == 0);
    /* The word-at-a-time path agrees with byte-at-a-time, any offset. */
    for (i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t) (i * 31 + 7);
    for (cut = 0; cut < 40; cut++) {
        pos = nn_wsf_mask(big2, big, cut, MASK, 0);
        nn_wsf_mask(big2 + cut, big + cut, sizeof(big) - cut, MASK, pos);
        for (i = 0; i < sizeof(big); i++)
            CHECK(big2[i] == (uint8_t) (big[i] ^ MASK[i % 4]));
    }
    memcpy(back, big2, sizeof(back));
    nn_wsf_mask(back, back, sizeof(back), MASK, 0);    /* in place */
    CHECK(memcmp(back, big, sizeof(big)) == 0);
}

/* Decoder harness: feed `len` bytes in pieces of `step`, collecting
   messages into a list; stops at a close verdict. */
struct result {
    int nmsg;
    int ops[16];
    size_t lens[16];
    uint8_t *bodies[16];
    int closed, code, peer;
    const char *reason;
};

static void run(struct nn_wsdec *d, const uint8_t *in, size_t len,
                size_t step, struct result *r)
{
    size_t off = 0, used;
    struct nn_wsdec_out out;
    enum nn_wsdec_rc rc;

    memset(r, 0, sizeof(*r));
    while (off < len || step == 0) {
        size_t n = len - off < step ? len - off : step;
        size_t fed = 0;
        if (step == 0)
            n = len - off;
        do {
            rc = nn_wsdec_feed(d, in + off + fed, n - fed, &used, &out);
            CHECK(used <= n - fed);
            fed += used;
            if (rc == NN_WSDEC_MSG) {
                if (r->nmsg < 16) {
                    r->ops[r->nmsg] = out.opcode;
                    r->lens[r->nmsg] = nn_chunk_size(out.body);
                    r->bodies[r->nmsg] = out.body;
                } else {
                    nn_chunk_unref(out.body);
                }
                r->nmsg++;
            } else if (rc == NN_WSDEC_CLOSE) {
                r->closed = 1;
                r->code = out.code;
                r->reason = out.reason;
                r->peer = out.peer_close;
                return;
            }
        } while (rc != NN_WSDEC_MORE);
        CHECK(fed == n);
        off += n;
        if (step == 0)
            break;
    }
}

static void result_free(struct result *r)
{
    int i;
    for (i = 0; i < r->nmsg && i < 16; i++)
        nn_chunk_unref(r->bodies[i]);
    r->nmsg = 0;
}

/* Decode one message with a fresh decoder in both pieces sizes. */
static void roundtrip(int server, uint64_t maxsize, size_t len, int op)
{
    uint8_t *payload = malloc(len + 1), *wire = malloc(len + 14);
    size_t n, i, steps[] = {0, 1, 7, 4096};
    struct nn_wsdec d;
    struct result r;

    for (i = 0; i < len; i++)
        payload[i] = (uint8_t) (op == NN_WSF_TEXT ? 'a' + i % 26 : i * 13);
    n = frame(wire, (uint8_t) (0x80 | op), server, payload, len);
    for (i = 0; i < 4; i++) {
        if (len > 70000 && steps[i] == 1)
            continue;
        nn_wsdec_init(&d, server, maxsize);
        run(&d, wire, n, steps[i], &r);
        CHECK(!r.closed && r.nmsg == 1 && r.ops[0] == op && r.lens[0] == len);
        if (r.nmsg == 1)
            CHECK(len == 0 || memcmp(r.bodies[0], payload, len) == 0);
        result_free(&r);
        nn_wsdec_term(&d);
    }
    free(payload);
    free(wire);
}

static void expect_close(int server, uint64_t maxsize, const uint8_t *in,
                         size_t len, int code, const char *reason, int peer)
{
    struct nn_wsdec d;
    struct result r;
    size_t step;

    for (step = 0; step < 2; step++) {
        nn_wsdec_init(&d, server, maxsize);
        run(&d, in, len, step, &r);
        CHECK(r.closed && r.code == code && r.peer == peer);
        if (r.closed && reason)
            CHECK(strcmp(r.reason, reason) == 0);
        result_free(&r);
        nn_wsdec_term(&d);
    }
}

static void test_decoder_lengths(void)
{
    static const size_t lens[] = {0, 1, 125, 126, 65535, 65536, 200000};
    size_t i;

    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        roundtrip(1, UINT64_MAX, lens[i], NN_WSF_BINARY);
        roundtrip(0, 1024 * 1024, lens[i], NN_WSF_BINARY);
        roundtrip(1, lens[i], lens[i], NN_WSF_TEXT);   /* limit is inclusive */
    }
}

static void test_decoder_errors(void)
{
    uint8_t w[256];
    size_t n;
    int op;

    /* Masking direction. */
    n = frame(w, 0x82, 0, "abc", 3);
    expect_close(1, UINT64_MAX, w, n, 1002,
                 "Server expects MASK bit to be set.", 0);
    n = frame(w, 0x82, 1, "abc", 3);
    expect_close(0, UINT64_MAX, w, n, 1002, NULL, 0);
    /* RSV bits. */
    n = frame(w, 0x82 | 0x40, 1, "abc", 3);
    expect_close(1, UINT64_MAX, w, n, 1002,
                 "RSV1, RSV2, and RSV3 must be unset.", 0);
    n = frame(w, 0x82 | 0x20, 1, "abc", 3);
    expect_close(1, UINT64_MAX, w, n, 1002, NULL, 0);
    n = frame(w, 0x82 | 0x10, 0, "abc", 3);
    expect_close(0, UINT64_MAX, w, n, 1002, NULL, 0);
    /* Reserved opcodes. */
    for (op = 3; op <= 0xf; op++) {
        if (op >= 8 && op <= 0xa)
            continue;
        n = frame(w, (uint8_t) (0x80 | op), 1, "abc", 3);
        expect_close(1, UINT64_MAX, w, n, 1002, "Invalid opcode.", 0);
    }
    /* Continuation without a message; new data while one is open. */
    n = frame(w, 0x80, 1, "abc", 3);
    expect_close(1, UINT64_MAX, w, n, 1002, "No message to continue.", 0);
    n = frame(w, 0x02, 1, "abc", 3);
    n += frame(w + n, 0x82, 1, "def", 3);
    expect_close(1, UINT64_MAX, w, n, 1002, "Expected continuation frame opcode.",
                 0);
    /* Control frames: fragmented, too long. */
    n = frame(w, 0x09, 1, "abc", 3);
    expect_close(1, UINT64_MAX, w, n, 1002,
                 "Cannot fragment control message (FIN=0).", 0);
    n = frame(w, 0x89, 1, NULL, 126);
    expect_close(1, UINT64_MAX, w, 8, 1002,
                 "Control frame payload exceeds allowable length.", 0);
    /* A 125-byte ping is fine and not limited by the message size. */
    {
        uint8_t big[125];
        struct nn_wsdec d;
        struct result r;
        memset(big, 'p', sizeof(big));
        n = frame(w, 0x89, 1, big, 125);
        nn_wsdec_init(&d, 1, 10);
        run(&d, w, n, 1, &r);
        CHECK(!r.closed && r.nmsg == 1 && r.ops[0] == NN_WSF_PING &&
              r.lens[0] == 125);
        result_free(&r);
        nn_wsdec_term(&d);
    }
}

static void test_decoder_fragments(void)
{
    uint8_t w[256];
    size_t n = 0, step;
    struct nn_wsdec d;
    struct result r;

    /* "Hel" + ping("p") + "lo" + pong("") + "!" (FIN): ping and pong come
       out as messages in their place, then the text message. */
    n += frame(w + n, 0x01, 1, "Hel", 3);
    n += frame(w + n, 0x89, 1, "p", 1);
    n += frame(w + n, 0x00, 1, "lo", 2);
    n += frame(w + n, 0x8a, 1, "", 0);
    n += frame(w + n, 0x80, 1, "!", 1);
    n += frame(w + n, 0x82, 1, "next", 4);
    for (step = 0; step < 5; step++) {
        nn_wsdec_init(&d, 1, UINT64_MAX);
        run(&d, w, n, step, &r);
        CHECK(!r.closed && r.nmsg == 4);
        if (r.nmsg == 4) {
            CHECK(r.ops[0] == NN_WSF_PING && r.lens[0] == 1 &&
                  r.bodies[0][0] == 'p');
            CHECK(r.ops[1] == NN_WSF_PONG && r.lens[1] == 0);
            CHECK(r.ops[2] == NN_WSF_TEXT && r.lens[2] == 6 &&
                  memcmp(r.bodies[2], "Hello!", 6) == 0);
            CHECK(r.ops[3] == NN_WSF_BINARY && r.lens[3] == 4 &&
                  memcmp(r.bodies[3], "next", 4) == 0);
        }
        result_free(&r);
        nn_wsdec_term(&d);
    }
    /* Empty fragments, client side. */
    n = frame(w, 0x02, 0, "", 0);
    n += frame(w + n, 0x00, 0, "", 0);
    n += frame(w + n, 0x80, 0, "", 0);
    nn_wsdec_init(&d, 0, 0);
    run(&d, w, n, 1, &r);
    CHECK(!r.closed && r.nmsg == 1 && r.ops[0] == 2 && r.lens[0] == 0);
    result_free(&r);
    nn_wsdec_term(&d);
    /* A partial message left in the decoder is freed by term. */
    n = frame(w, 0x02, 1, "partial", 7);
    nn_wsdec_init(&d, 1, UINT64_MAX);
    run(&d, w, n, 0, &r);
    CHECK(r.nmsg == 0 && !r.closed && d.msg != NULL);
    nn_wsdec_term(&d);
}

static void test_decoder_close(void)
{
    uint8_t w[256], p[64];
    size_t n;
    static const int good[] = {1000, 1001, 1002, 1003, 1007, 1008,
                               1009, 1010, 1011, 3000, 4000, 4999};
    static const int bad[] = {0, 999, 1004, 1005, 1006, 1012, 1015,
                              2000, 2999, 5000, 65535};
    size_t i;

    n = frame(w, 0x88, 1, "", 0);
    expect_close(1, UINT64_MAX, w, n, 1000, "", 1);
    n = frame(w, 0x88, 0, "", 0);
    expect_close(0, UINT64_MAX, w, n, 1000, "", 1);
    n = frame(w, 0x88, 1, "\x03", 1);
    expect_close(1, UINT64_MAX, w, n, 1002, "Expected 2byte close code.", 0);
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        p[0] = (uint8_t) (good[i] >> 8);
        p[1] = (uint8_t) good[i];
        memcpy(p + 2, "bye \xc3\xa9", 6);
        n = frame(w, 0x88, 1, p, 8);
        expect_close(1, UINT64_MAX, w, n, good[i], "", 1);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p[0] = (uint8_t) (bad[i] >> 8);
        p[1] = (uint8_t) bad[i];
        n = frame(w, 0x88, 1, p, 2);
        expect_close(1, UINT64_MAX, w, n, 1002, "Unrecognized close code.", 0);
    }
    p[0] = 0x03;
    p[1] = 0xe8;
    memcpy(p + 2, "\xff", 1);
    n = frame(w, 0x88, 1, p, 3);
    expect_close(1, UINT64_MAX, w, n, 1002, "Invalid UTF-8 sent as Close Reason.",
                 0);
    /* A close in the middle of a fragmented message still ends it. */
    n = frame(w, 0x01, 1, "abc", 3);
    n += frame(w + n, 0x88, 1, "\x03\xe8", 2);
    expect_close(1, UINT64_MAX, w, n, 1000, "", 1);

    /* Our own Close frames decode back to the same code. */
    {
        uint8_t c[NN_WSF_CLOSE_MAX];
        struct nn_wsdec d;
        struct result r;
        char longreason[200];
        n = nn_wsf_close(c, 1002, "Invalid opcode.", MASK);
        CHECK(n == 6 + 2 + 15 && c[0] == 0x88 && c[1] == (0x80 | 17));
        nn_wsdec_init(&d, 1, UINT64_MAX);
        run(&d, c, n, 0, &r);
        CHECK(r.closed && r.code == 1002 && r.peer);
        nn_wsdec_term(&d);
        n = nn_wsf_close(c, 1000, NULL, NULL);
        CHECK(n == 4 && memcmp(c, "\x88\x02\x03\xe8", 4) == 0);
        memset(longreason, 'r', sizeof(longreason) - 1);
        longreason[sizeof(longreason) - 1] = '\0';
        n = nn_wsf_close(c, 1009, longreason, NULL);
        CHECK(n == 2 + 125 && c[1] == 125);
    }
    /* Bytes after a close verdict are ignored. */
    {
        struct nn_wsdec d;
        struct nn_wsdec_out out;
        size_t used;
        n = frame(w, 0x88, 1, "", 0);
        nn_wsdec_init(&d, 1, UINT64_MAX);
        CHECK(nn_wsdec_feed(&d, w, n, &used, &out) == NN_WSDEC_CLOSE);
        CHECK(nn_wsdec_feed(&d, w, n, &used, &out) == NN_WSDEC_MORE &&
              used == n);
        nn_wsdec_term(&d);
    }
}

static void test_decoder_utf8(void)
{
    static const char *const badtext[] = {
        "\xc3\x28", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\x80",
        "ok\xe2\x82",     /* truncated at the end of the message */
    };
    static const char *const goodtext[] = {
        "", "plain", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf",
    };
    uint8_t w[64];
    size_t i, n;
    struct nn_wsdec d;
    struct result r;

    for (i = 0; i < sizeof(badtext) / sizeof(badtext[0]); i++) {
        n = frame(w, 0x81, 1, badtext[i], strlen(badtext[i]));
        /* Reasons as libnanomsg words them (checked against it). */
        expect_close(1, UINT64_MAX, w, n, 1007,
                     i + 1 < sizeof(badtext) / sizeof(badtext[0])
                         ? "Invalid UTF-8 code point in payload."
                         : "Truncated UTF-8 payload with invalid code point.",
                     0);
        /* Binary frames carry anything. */
        n = frame(w, 0x82, 1, badtext[i], strlen(badtext[i]));
        nn_wsdec_init(&d, 1, UINT64_MAX);
        run(&d, w, n, 1, &r);
        CHECK(!r.closed && r.nmsg == 1);
        result_free(&r);
        nn_wsdec_term(&d);
    }
    for (i = 0; i < sizeof(goodtext) / sizeof(goodtext[0]); i++) {
        n = frame(w, 0x81, 1, goodtext[i], strlen(goodtext[i]));
        nn_wsdec_init(&d, 1, UINT64_MAX);
        run(&d, w, n, 1, &r);
        CHECK(!r.closed && r.nmsg == 1 && r.lens[0] == strlen(goodtext[i]));
        result_free(&r);
        nn_wsdec_term(&d);
    }
    /* A code point split across fragments is fine... */
    n = frame(w, 0x01, 1, "\xe2\x82", 2);
    n += frame(w + n, 0x80, 1, "\xac", 1);
    nn_wsdec_init(&d, 1, UINT64_MAX);
    run(&d, w, n, 0, &r);
    CHECK(!r.closed && r.nmsg == 1 && r.lens[0] == 3);
    result_free(&r);
    nn_wsdec_term(&d);
    /* ...but an REQ header word (bit 31 set) in text mode is not. */
    n = frame(w, 0x81, 1, "\x80\x00\x00\x01hello", 9);
    expect_close(1, UINT64_MAX, w, n, 1007, NULL, 0);
    /* Pings are not validated. */
    n = frame(w, 0x89, 1, "\xff", 1);
    nn_wsdec_init(&d, 1, UINT64_MAX);
    run(&d, w, n, 0, &r);
    CHECK(!r.closed && r.nmsg == 1 && r.ops[0] == NN_WSF_PING);
    result_free(&r);
    nn_wsdec_term(&d);
    CHECK(nn_wsf_utf8_valid((const uint8_t *) "abc", 3));
    CHECK(!nn_wsf_utf8_valid((const uint8_t *) "\xe2\x82", 2));
}

static void test_decoder_limits(void)
{
    uint8_t w[64], payload[16];
    size_t n;
    struct nn_wsdec d;
    struct nn_wsdec_out out;
    size_t used;

    memset(payload, 'x', sizeof(payload));
    n = frame(w, 0x82, 1, payload, 11);
    expect_close(1, 10, w, n, 1009, "Message size exceeds limit.", 0);
    /* Reassembled size counts. */
    n = frame(w, 0x02, 1, payload, 6);
    n += frame(w + n, 0x80, 1, payload, 6);
    expect_close(1, 10, w, n, 1009, NULL, 0);
    n = frame(w, 0x02, 1, payload, 5);
    n += frame(w + n, 0x80, 1, payload, 5);
    {
        struct result r;
        nn_wsdec_init(&d, 1, 10);
        run(&d, w, n, 1, &r);
        CHECK(!r.closed && r.nmsg == 1 && r.lens[0] == 10);
        result_free(&r);
        nn_wsdec_term(&d);
    }
    /* A huge claimed length is refused from the header alone... */
    memcpy(w, "\x82\xff\x40\x00\x00\x00\x00\x00\x00\x00\x11\x22\x33\x44", 14);
    expect_close(1, 1024 * 1024, w, 14, 1009, NULL, 0);
    memcpy(w, "\x82\xff\x00\x00\x00\x00\x00\x10\x00\x01\x11\x22\x33\x44", 14);
    expect_close(1, 1024 * 1024, w, 14, 1009, NULL, 0);
    /* ...and without a limit the buffer only grows with what arrives. */
    memcpy(w, "\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x11\x22\x33\x44", 14);
    memset(w + 14, 0, 16);
    nn_wsdec_init(&d, 1, UINT64_MAX);
    CHECK(nn_wsdec_feed(&d, w, 30, &used, &out) == NN_WSDEC_MORE &&
          used == 30);
    CHECK(d.msglen == 16 && d.msgcap <= 16 + 1024 * 1024);
    nn_wsdec_term(&d);
    /* Limit 0: only empty messages. */
    n = frame(w, 0x82, 1, "", 0);
    {
        struct result r;
        nn_wsdec_init(&d, 1, 0);
        run(&d, w, n, 1, &r);
        CHECK(!r.closed && r.nmsg == 1 && r.lens[0] == 0);
        result_free(&r);
        nn_wsdec_term(&d);
    }
}

int main(void)
{
    test_base64();
    test_sha1();
    test_handshake_keys();
    test_handshake_client();
    test_block_len();
    test_handshake_server();
    test_frame_header();
    test_mask();
    test_decoder_lengths();
    test_decoder_errors();
    test_decoder_fragments();
    test_decoder_close();
    test_decoder_utf8();
    test_decoder_limits();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_wscodec: all checks passed\n");
    return 0;
}
