/* The WebSocket opening handshake (RFC 6455 §4) as pure functions over
   byte buffers, with the exact bytes libnanomsg 1.1.5 sends (WIRE.md §6).
   No I/O here: the transport reads until nn_wshs_block_len() says the
   header block is complete, then asks for a verdict and the reply. */
#ifndef NN_TRANSPORTS_WSHANDSHAKE_H
#define NN_TRANSPORTS_WSHANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#define NN_WSHS_REQ_MAX 4096    /* largest request a server accepts */
#define NN_WSHS_RESP_MAX 511    /* largest response a client accepts */
#define NN_WSHS_NONCE_LEN 16
#define NN_WSHS_KEY_LEN 24      /* base64 of the 16-byte nonce */
#define NN_WSHS_ACCEPT_LEN 28   /* base64 of a SHA-1 digest */
#define NN_WSHS_REPLY_MAX 256   /* room for any server reply we build */

/* The SP sub-protocol name of socket type id `type` (NN_PAIR, ...), or
   NULL. `nth` iterates over every known type: nn_wshs_type(i) for i from
   0 until it returns -1. */
const char *nn_wshs_name(int type);
int nn_wshs_type(int nth);

/* Length of the header block in `buf` up to and including its blank line;
   0 if it is not complete yet; -1 if no block ends within `max` bytes. */
int nn_wshs_block_len(const char *buf, size_t len, size_t max);

/* Sec-WebSocket-Key text for a 16-byte random nonce (NUL-terminated). */
void nn_wshs_key(const uint8_t nonce[NN_WSHS_NONCE_LEN],
                 char key[NN_WSHS_KEY_LEN + 1]);
/* Sec-WebSocket-Accept for a key as received (NUL-terminated). */
void nn_wshs_accept(const char *key, size_t keylen,
                    char accept[NN_WSHS_ACCEPT_LEN + 1]);

/* Client: the request of WIRE.md §6.1. Returns its length, or -1 if it
   does not fit in `bufsz` bytes. */
int nn_wshs_request(char *buf, size_t bufsz, const char *resource,
                    const char *host, const char *key, const char *protocol);

/* Client: 0 if the response header block `resp` accepts the upgrade for
   a request made with `key`, -1 otherwise. */
int nn_wshs_check_response(const char *resp, size_t len, const char *key);

/* Server verdicts. */
enum nn_wshs_verdict {
    NN_WSHS_OK = 0,            /* 101 Switching Protocols */
    NN_WSHS_BAD_REQUEST,       /* request line not `GET <uri> HTTP/1.1` */
    NN_WSHS_BAD_HEADERS,       /* missing/wrong Host, Upgrade, Connection, Key, Version */
    NN_WSHS_BAD_VERSION,       /* Sec-WebSocket-Version other than 13 */
    NN_WSHS_INCOMPATIBLE,      /* known SP name, not this socket's type */
    NN_WSHS_UNRECOGNIZED,      /* unknown sub-protocol name */
    NN_WSHS_TOO_LONG,          /* no complete request within NN_WSHS_REQ_MAX */
    /* The faults of a malformed request, each with its own reply reason
       (NN_WSHS_BAD_HEADERS is no longer returned). */
    NN_WSHS_BAD_FIELD,         /* a header line without a colon */
    NN_WSHS_BAD_HOST,          /* no Host */
    NN_WSHS_BAD_UPGRADE,       /* Upgrade missing or not `websocket` */
    NN_WSHS_BAD_CONNECTION,    /* Connection without the `upgrade` token */
    NN_WSHS_BAD_KEY,           /* key missing or not the base64 of 16 bytes */
    NN_WSHS_NOT_FOUND          /* resource other than the bound path (404) */
};

/* Server: judge the request header block `req` (the first `len` bytes,
   possibly incomplete for NN_WSHS_TOO_LONG, which the caller passes as
   `forced`, else NN_WSHS_OK) for a socket whose own sub-protocol name is
   `own_name`, and write the reply into `out` (at least NN_WSHS_REPLY_MAX
   bytes) with its length in *outlen. Any verdict other than NN_WSHS_OK
   means: send the reply, then close. */
enum nn_wshs_verdict nn_wshs_serve(const char *req, size_t len,
                                   const char *own_name,
                                   enum nn_wshs_verdict forced,
                                   char *out, size_t *outlen);

/* nn_wshs_serve for an endpoint bound to resource path `path` (starting
   with '/'): a request for another path gets NN_WSHS_NOT_FOUND. With
   `path` NULL any resource is accepted, as libnanomsg does. One trailing
   '/' on either side is ignored ("/a/" serves and matches "/a"). The request
   target may be empty (nng sends `GET  HTTP/1.1` for a URL without a
   path), which means "/"; a query is not part of the path. */
enum nn_wshs_verdict nn_wshs_serve_path(const char *req, size_t len,
                                        const char *own_name,
                                        const char *path,
                                        enum nn_wshs_verdict forced,
                                        char *out, size_t *outlen);

/* The path of request target `uri` (`len` bytes): origin-form up to any
   '?', or the path of an absolute URI; "/" for an empty target. Sets
   *path and *pathlen to a slice of `uri` (or to "/") and returns 0; -1 for a
   target that is neither form or holds bytes outside printable ASCII. */
int nn_wshs_target_path(const char *uri, size_t len, const char **path,
                        size_t *pathlen);

/* Whether request path `path` (`len` bytes) names bound path `bound`:
   equal but for one trailing '/' on either side. */
int nn_wshs_path_eq(const char *bound, const char *path, size_t len);

/* The path the request line of `req` asks for (see nn_wshs_target_path);
   -1 for a malformed or incomplete request line. */
int nn_wshs_request_path(const char *req, size_t len, const char **path,
                         size_t *pathlen);

#endif
