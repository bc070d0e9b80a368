/* WebSocket opening handshake codec. Everything the peer sent is treated
   as untrusted: lines are bounded by the buffer, values are slices of it,
   and nothing is echoed back that could break the reply's framing. */
#include "wshandshake.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "sha1.h"

#define NN_WSHS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define NN_WSHS_PAIR_NAME "pair.sp.nanomsg.org"

/* Socket type ids (WIRE.md §1) and their sub-protocol names. */
static const struct {
    int type;
    const char *name;
} nn_wshs_types[] = {
    {0x10, "pair.sp.nanomsg.org"},     {0x20, "pub.sp.nanomsg.org"},
    {0x21, "sub.sp.nanomsg.org"},      {0x30, "req.sp.nanomsg.org"},
    {0x31, "rep.sp.nanomsg.org"},      {0x50, "push.sp.nanomsg.org"},
    {0x51, "pull.sp.nanomsg.org"},     {0x62, "surveyor.sp.nanomsg.org"},
    {0x63, "respondent.sp.nanomsg.org"}, {0x70, "bus.sp.nanomsg.org"},
};
#define NN_WSHS_NTYPES (sizeof(nn_wshs_types) / sizeof(nn_wshs_types[0]))

/* A slice of the received bytes. */
struct nn_wshs_str {
    const char *p;
    size_t len;
};

const char *nn_wshs_name(int type)
{
    size_t i;

    for (i = 0; i < NN_WSHS_NTYPES; i++)
        if (nn_wshs_types[i].type == type)
            return nn_wshs_types[i].name;
    return NULL;
}

int nn_wshs_type(int nth)
{
    return nth >= 0 && (size_t) nth < NN_WSHS_NTYPES ? nn_wshs_types[nth].type
                                                     : -1;
}

static char nn_wshs_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/* ASCII case-insensitive comparison of a slice with a C string; the
   locale must not matter for protocol tokens. */
static int nn_wshs_ieq(struct nn_wshs_str s, const char *lit)
{
    size_t i, n = strlen(lit);

    if (s.len != n)
        return 0;
    for (i = 0; i < n; i++)
        if (nn_wshs_lower(s.p[i]) != nn_wshs_lower(lit[i]))
            return 0;
    return 1;
}

static int nn_wshs_eq(struct nn_wshs_str s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

int nn_wshs_block_len(const char *buf, size_t len, size_t max)
{
    size_t i, lim = len < max ? len : max;

    for (i = 0; i + 4 <= lim; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return (int) (i + 4);
    return len >= max ? -1 : 0;
}

/* Next CRLF-terminated line from *pos; 0 when none is left. */
static int nn_wshs_line(const char *buf, size_t len, size_t *pos,
                        struct nn_wshs_str *line)
{
    size_t i;

    for (i = *pos; i + 1 < len; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n') {
            line->p = buf + *pos;
            line->len = i - *pos;
            *pos = i + 2;
            return 1;
        }
    }
    return 0;
}

/* Split "Name: value" with the value trimmed of spaces and tabs; 0 for a
   line without a colon. */
static int nn_wshs_header(struct nn_wshs_str line, struct nn_wshs_str *name,
                          struct nn_wshs_str *value)
{
    const char *colon = memchr(line.p, ':', line.len);
    const char *v, *end = line.p + line.len;

    if (colon == NULL)
        return 0;
    name->p = line.p;
    name->len = (size_t) (colon - line.p);
    v = colon + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    value->p = v;
    value->len = (size_t) (end - v);
    return 1;
}

void nn_wshs_key(const uint8_t nonce[NN_WSHS_NONCE_LEN],
                 char key[NN_WSHS_KEY_LEN + 1])
{
    nn_base64_encode(nonce, NN_WSHS_NONCE_LEN, key, NN_WSHS_KEY_LEN + 1);
}

void nn_wshs_accept(const char *key, size_t keylen,
                    char accept[NN_WSHS_ACCEPT_LEN + 1])
{
    struct nn_sha1 c;
    uint8_t digest[NN_SHA1_LEN];

    nn_sha1_init(&c);
    nn_sha1_update(&c, key, keylen);
    nn_sha1_update(&c, NN_WSHS_GUID, strlen(NN_WSHS_GUID));
    nn_sha1_final(&c, digest);
    nn_base64_encode(digest, sizeof(digest), accept, NN_WSHS_ACCEPT_LEN + 1);
}

int nn_wshs_request(char *buf, size_t bufsz, const char *resource,
                    const char *host, const char *key, const char *protocol)
{
    int n = snprintf(buf, bufsz,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: %s\r\n"
                     "\r\n",
                     resource, host, key, protocol);

    if (n < 0 || (size_t) n >= bufsz)
        return -1;
    return n;
}

int nn_wshs_check_response(const char *resp, size_t len, const char *key)
{
    struct nn_wshs_str line, name, value;
    size_t pos = 0;
    int upgrade = 0, connection = 0, accepted = 0;
    char expect[NN_WSHS_ACCEPT_LEN + 1];

    if (!nn_wshs_line(resp, len, &pos, &line))
        return -1;
    if (line.len < 12 || memcmp(line.p, "HTTP/1.1 101", 12) != 0 ||
        (line.len > 12 && line.p[12] != ' '))
        return -1;
    nn_wshs_accept(key, strlen(key), expect);
    while (nn_wshs_line(resp, len, &pos, &line) && line.len > 0) {
        if (!nn_wshs_header(line, &name, &value))
            continue;
        if (nn_wshs_ieq(name, "Upgrade"))
            upgrade = nn_wshs_ieq(value, "websocket");
        else if (nn_wshs_ieq(name, "Connection"))
            connection = nn_wshs_ieq(value, "Upgrade");
        else if (nn_wshs_ieq(name, "Sec-WebSocket-Accept"))
            accepted = nn_wshs_eq(value, expect);
    }
    return upgrade && connection && accepted ? 0 : -1;
}

/* Request line: exactly "GET", one space, a target without spaces (maybe
   empty: nng sends `GET  HTTP/1.1`), one space, "HTTP/1.1". Sets *uri to
   the target. */
static int nn_wshs_request_line_ok(struct nn_wshs_str line,
                                   struct nn_wshs_str *uri)
{
    static const char tail[] = " HTTP/1.1";
    size_t tl = sizeof(tail) - 1;

    if (line.len < 4 + tl || memcmp(line.p, "GET ", 4) != 0 ||
        memcmp(line.p + line.len - tl, tail, tl) != 0)
        return 0;
    uri->p = line.p + 4;
    uri->len = line.len - 4 - tl;
    return memchr(uri->p, ' ', uri->len) == NULL;
}

int nn_wshs_target_path(const char *uri, size_t len, const char **path,
                        size_t *pathlen)
{
    const char *end = uri + len, *p = uri, *q;
    size_t i;

    for (i = 0; i < len; i++)
        if ((unsigned char) uri[i] <= 0x20 || (unsigned char) uri[i] >= 0x7f)
            return -1;
    if (len == 0) {
        *path = "/";
        *pathlen = 1;
        return 0;
    }
    if (uri[0] != '/') {
        /* absolute-form: scheme "://" authority [path]. */
        q = memchr(uri, ':', len);
        if (q == NULL || q == uri || end - q < 3 || q[1] != '/' || q[2] != '/')
            return -1;
        for (p = uri; p < q; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (p > uri && ((*p >= '0' && *p <= '9') || *p == '+' ||
                               *p == '-' || *p == '.'))))
                return -1;
        p = q + 3;
        while (p < end && *p != '/' && *p != '?')
            p++;
        if (p == end || *p == '?') {
            *path = "/";
            *pathlen = 1;
            return 0;
        }
    } else if (len >= 2 && uri[1] == '/') {
        return -1;   /* "//x" is an authority, not a path */
    }
    q = memchr(p, '?', (size_t) (end - p));
    *path = p;
    *pathlen = (size_t) ((q ? q : end) - p);
    return 0;
}

int nn_wshs_path_eq(const char *bound, const char *path, size_t len)
{
    size_t blen = strlen(bound);

    /* One trailing '/' is no part of the name (as nng has it): "/a/" is
       "/a". */
    if (blen > 1 && bound[blen - 1] == '/')
        blen--;
    if (len > 1 && path[len - 1] == '/')
        len--;
    return blen == len && memcmp(bound, path, len) == 0;
}

int nn_wshs_request_path(const char *req, size_t len, const char **path,
                         size_t *pathlen)
{
    struct nn_wshs_str line, uri;
    size_t pos = 0;

    if (!nn_wshs_line(req, len, &pos, &line) ||
        !nn_wshs_request_line_ok(line, &uri))
        return -1;
    return nn_wshs_target_path(uri.p, uri.len, path, pathlen);
}

/* The fields of a request the verdict depends on; p == NULL = absent. */
struct nn_wshs_req {
    struct nn_wshs_str host, upgrade, connection, key, version, protocol;
    int bad_field;
};

static void nn_wshs_collect(const char *buf, size_t len, size_t pos,
                            struct nn_wshs_req *r)
{
    struct nn_wshs_str line, name, value;

    memset(r, 0, sizeof(*r));
    while (nn_wshs_line(buf, len, &pos, &line) && line.len > 0) {
        if (!nn_wshs_header(line, &name, &value) || name.len == 0) {
            r->bad_field = 1;
            continue;
        }
        /* Repeated headers: the last one wins. */
        if (nn_wshs_ieq(name, "Host"))
            r->host = value;
        else if (nn_wshs_ieq(name, "Upgrade"))
            r->upgrade = value;
        else if (nn_wshs_ieq(name, "Connection"))
            r->connection = value;
        else if (nn_wshs_ieq(name, "Sec-WebSocket-Key"))
            r->key = value;
        else if (nn_wshs_ieq(name, "Sec-WebSocket-Version"))
            r->version = value;
        else if (nn_wshs_ieq(name, "Sec-WebSocket-Protocol"))
            r->protocol = value;
    }
}

static int nn_wshs_present(struct nn_wshs_str s)
{
    return s.p != NULL && s.len > 0;
}

/* Whether comma-separated list `v` holds token `tok` (case-insensitive,
   optional whitespace around each element, RFC 7230 §7). */
static int nn_wshs_has_token(struct nn_wshs_str v, const char *tok)
{
    const char *p = v.p, *end = v.p + v.len, *e;
    struct nn_wshs_str t;

    while (p < end) {
        e = memchr(p, ',', (size_t) (end - p));
        if (e == NULL)
            e = end;
        t.p = p;
        t.len = (size_t) (e - p);
        while (t.len > 0 && (t.p[0] == ' ' || t.p[0] == '\t')) {
            t.p++;
            t.len--;
        }
        while (t.len > 0 && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t'))
            t.len--;
        if (nn_wshs_ieq(t, tok))
            return 1;
        p = e + 1;
    }
    return 0;
}

/* RFC 6455 §4.2.1: the key must decode to exactly 16 bytes, in the
   canonical encoding every client produces (the unused low bits of the
   last character zero), so that encoding the bytes again gives it back. */
static int nn_wshs_key_ok(struct nn_wshs_str k)
{
    uint8_t raw[16];
    char canon[NN_BASE64_LEN(sizeof(raw)) + 1];

    if (k.len != NN_WSHS_KEY_LEN ||
        nn_base64_decode(k.p, k.len, raw, sizeof(raw)) != (int) sizeof(raw))
        return 0;
    return nn_base64_encode(raw, sizeof(raw), canon, sizeof(canon)) ==
               (int) k.len &&
           memcmp(canon, k.p, k.len) == 0;
}

static enum nn_wshs_verdict nn_wshs_judge(const struct nn_wshs_req *r,
                                          const char *own_name)
{
    size_t i;

    if (r->bad_field)
        return NN_WSHS_BAD_FIELD;
    if (!nn_wshs_present(r->host))
        return NN_WSHS_BAD_HOST;
    if (r->upgrade.p == NULL || !nn_wshs_has_token(r->upgrade, "websocket"))
        return NN_WSHS_BAD_UPGRADE;
    if (r->connection.p == NULL ||
        !nn_wshs_has_token(r->connection, "upgrade"))
        return NN_WSHS_BAD_CONNECTION;
    if (r->key.p == NULL || !nn_wshs_key_ok(r->key))
        return NN_WSHS_BAD_KEY;
    if (r->version.p == NULL || !nn_wshs_eq(r->version, "13"))
        return NN_WSHS_BAD_VERSION;
    if (r->protocol.p == NULL)
        return strcmp(own_name, NN_WSHS_PAIR_NAME) == 0 ? NN_WSHS_OK
                                                         : NN_WSHS_INCOMPATIBLE;
    for (i = 0; i < NN_WSHS_NTYPES; i++)
        if (nn_wshs_ieq(r->protocol, nn_wshs_types[i].name))
            return nn_wshs_ieq(r->protocol, own_name) ? NN_WSHS_OK
                                                      : NN_WSHS_INCOMPATIBLE;
    return NN_WSHS_UNRECOGNIZED;
}

static const char *nn_wshs_status(enum nn_wshs_verdict v)
{
    switch (v) {
    case NN_WSHS_BAD_REQUEST:
        return "400 Bad Request Line";
    case NN_WSHS_BAD_FIELD:
        return "400 Malformed Header Field";
    case NN_WSHS_BAD_HOST:
        return "400 Missing Host";
    case NN_WSHS_BAD_UPGRADE:
        return "400 Upgrade Must Be websocket";
    case NN_WSHS_BAD_CONNECTION:
        return "400 Connection Must Include Upgrade";
    case NN_WSHS_BAD_KEY:
        return "400 Sec-WebSocket-Key Must Be Base64 of 16 Bytes";
    case NN_WSHS_BAD_VERSION:
        return "400 Unsupported WebSocket Version";
    case NN_WSHS_INCOMPATIBLE:
        return "400 Incompatible Socket Type";
    case NN_WSHS_UNRECOGNIZED:
        return "400 Unrecognized Socket Type";
    case NN_WSHS_TOO_LONG:
        return "400 Opening Handshake Too Long";
    case NN_WSHS_NOT_FOUND:
        return "404 Not Found";
    case NN_WSHS_BAD_HEADERS:
    default:
        return "400 Bad Request";
    }
}

enum nn_wshs_verdict nn_wshs_serve(const char *req, size_t len,
                                   const char *own_name,
                                   enum nn_wshs_verdict forced,
                                   char *out, size_t *outlen)
{
    return nn_wshs_serve_path(req, len, own_name, NULL, forced, out, outlen);
}

enum nn_wshs_verdict nn_wshs_serve_path(const char *req, size_t len,
                                        const char *own_name,
                                        const char *path,
                                        enum nn_wshs_verdict forced,
                                        char *out, size_t *outlen)
{
    struct nn_wshs_req r;
    struct nn_wshs_str line, uri = {"", 0};
    enum nn_wshs_verdict v = forced;
    const char *rpath = "/";
    size_t pos = 0, rpathlen = 1;
    int n;

    memset(&r, 0, sizeof(r));
    if (nn_wshs_line(req, len, &pos, &line)) {
        nn_wshs_collect(req, len, pos, &r);
        if (v == NN_WSHS_OK &&
            (!nn_wshs_request_line_ok(line, &uri) ||
             nn_wshs_target_path(uri.p, uri.len, &rpath, &rpathlen) != 0))
            v = NN_WSHS_BAD_REQUEST;
    } else if (v == NN_WSHS_OK) {
        v = NN_WSHS_BAD_REQUEST;
    }
    if (v == NN_WSHS_OK) {
        v = nn_wshs_judge(&r, own_name);
        /* The resource is looked at only for a valid WebSocket request:
           a 404 says the handshake itself was fine. */
        if (path != NULL && v != NN_WSHS_BAD_FIELD && v != NN_WSHS_BAD_HOST &&
            v != NN_WSHS_BAD_UPGRADE && v != NN_WSHS_BAD_CONNECTION &&
            v != NN_WSHS_BAD_KEY && v != NN_WSHS_BAD_VERSION) {
            if (!nn_wshs_path_eq(path, rpath, rpathlen))
                v = NN_WSHS_NOT_FOUND;
        }
    }

    if (v == NN_WSHS_OK) {
        char accept[NN_WSHS_ACCEPT_LEN + 1];
        /* A matching protocol value is one of the short SP names, so the
           reply always fits. */
        struct nn_wshs_str proto = r.protocol.p ? r.protocol
                                                : (struct nn_wshs_str){"", 0};
        nn_wshs_accept(r.key.p, r.key.len, accept);
        n = snprintf(out, NN_WSHS_REPLY_MAX,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n"
                     "Sec-WebSocket-Protocol: %.*s\r\n"
                     "\r\n",
                     accept, (int) proto.len, proto.p);
    } else {
        /* Unlike libnanomsg (which echoes the client's version and ends
           with one CRLF), name the version we speak (RFC 6455 §4.4) and
           end the block with a blank line: the caller closes the
           connection after sending it. */
        n = snprintf(out, NN_WSHS_REPLY_MAX,
                     "HTTP/1.1 %s\r\nSec-WebSocket-Version: 13\r\n"
                     "Connection: close\r\n\r\n",
                     nn_wshs_status(v));
    }
    *outlen = n > 0 && n < NN_WSHS_REPLY_MAX ? (size_t) n : 0;
    return v;
}
