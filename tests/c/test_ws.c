/* test_ws.c - the ws:// transport end to end: PAIR and REQ/REP over ws
   with either side bound, text frames through NN_WS_MSG_TYPE and the
   per-message cmsg, the opcode cmsg on nn_recvmsg, and hand-written raw
   peers (a client sending a fragmented message with a ping in between and
   protocol errors; a server checking our request and masking), address
   errors, RCVMAXSIZE and reconnection. Exit status 0 means every check
   passed. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/ws.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "transports/wsframe.h"
#include "transports/wshandshake.h"

#include "netutil.h"



static int next_port;

/* Bind `s` to ws://127.0.0.1:<free port>; returns the port. */
static int bind_ws(int s, char *addr, size_t len)
{
    int i;

    if (next_port == 0)
        next_port = 20000 + (int) (getpid() * 7919u % 30000u);
    for (i = 0; i < 200; i++) {
        int port = next_port++;
        if (next_port > 60000)
            next_port = 20000;
        snprintf(addr, len, "ws://127.0.0.1:%d", port);
        if (nn_bind(s, addr) >= 0)
            return port;
        if (nn_errno() != EADDRINUSE)
            break;
    }
    CHECK(!"no free port");
    return -1;
}

static void check_recv(int s, const char *want)
{
    char buf[256];
    int n = nn_recv(s, buf, sizeof(buf), 0);

    CHECK(n == (int) strlen(want));
    if (n == (int) strlen(want))
        CHECK(memcmp(buf, want, (size_t) n) == 0);
}

/* ---- our sockets on both ends ------------------------------------------ */

struct burst {
    int s;
    const char *p;
    size_t len;
    int count;
};

static void *burst_main(void *arg)
{
    struct burst *b = arg;
    int i;

    for (i = 0; i < b->count; i++)
        CHECK(nn_send(b->s, b->p, b->len, 0) == (int) b->len);
    return NULL;
}

static void test_pair(int client_binds)
{
    char addr[64];
    int a = timed_socket(NN_PAIR), b = timed_socket(NN_PAIR);
    int port;

    port = bind_ws(client_binds ? b : a, addr, sizeof(addr));
    CHECK(port > 0);
    CHECK(nn_connect(client_binds ? a : b, addr) >= 0);
    CHECK(nn_send(b, "hello", 5, 0) == 5);
    check_recv(a, "hello");
    CHECK(nn_send(a, "world", 5, 0) == 5);
    check_recv(b, "world");
    /* Empty and large messages. */
    CHECK(nn_send(a, "", 0, 0) == 0);
    CHECK(nn_recv(b, addr, sizeof(addr), 0) == 0);
    {
        size_t big = 300000, i;
        char *p = malloc(big), *q = NULL;
        for (i = 0; i < big; i++)
            p[i] = (char) (i * 7);
        CHECK(nn_send(b, p, big, 0) == (int) big);
        CHECK(nn_recv(a, &q, NN_MSG, 0) == (int) big);
        CHECK(q != NULL && memcmp(p, q, big) == 0);
        if (q)
            nn_freemsg(q);
        /* A burst from another thread, to exercise partial writes and
           flow control (the sender blocks until the receiver reads). */
        {
            struct burst bu = {a, p, big, 20};
            pthread_t th;
            CHECK(pthread_create(&th, NULL, burst_main, &bu) == 0);
            for (i = 0; i < 20; i++) {
                q = NULL;
                CHECK(nn_recv(b, &q, NN_MSG, 0) == (int) big);
                CHECK(q != NULL && memcmp(p, q, big) == 0);
                if (q)
                    nn_freemsg(q);
            }
            pthread_join(th, NULL);
        }
        free(p);
    }
    CHECK(nn_get_statistic(client_binds ? b : a,
                           NN_STAT_ACCEPTED_CONNECTIONS) == 1);
    CHECK(nn_get_statistic(client_binds ? a : b,
                           NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    CHECK(nn_close(a) == 0);
    CHECK(nn_close(b) == 0);
}

static void test_reqrep(int req_binds)
{
    char addr[64];
    int req = timed_socket(NN_REQ), rep = timed_socket(NN_REP);
    int i;

    CHECK(bind_ws(req_binds ? req : rep, addr, sizeof(addr)) > 0);
    CHECK(nn_connect(req_binds ? rep : req, addr) >= 0);
    for (i = 0; i < 3; i++) {
        CHECK(nn_send(req, "ping", 4, 0) == 4);
        check_recv(rep, "ping");
        CHECK(nn_send(rep, "pong", 4, 0) == 4);
        check_recv(req, "pong");
    }
    CHECK(nn_close(req) == 0);
    CHECK(nn_close(rep) == 0);
}

/* Receive one message and the opcode from its NN_WS cmsg (0: none). */
static int recv_op(int s, char *buf, size_t len, int *op)
{
    struct nn_iovec iov = {buf, len};
    struct nn_msghdr hdr;
    unsigned char ctl[256];
    struct nn_cmsghdr *c;
    int n;

    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = ctl;
    hdr.msg_controllen = sizeof(ctl);
    n = nn_recvmsg(s, &hdr, 0);
    *op = 0;
    for (c = NN_CMSG_FIRSTHDR(&hdr); n >= 0 && c; c = NN_CMSG_NXTHDR(&hdr, c))
        if (c->cmsg_level == NN_WS && c->cmsg_type == NN_WS_MSG_TYPE)
            *op = NN_CMSG_DATA(c)[0];
    return n;
}

static void test_text_mode(void)
{
    char addr[64], buf[64];
    int a = timed_socket(NN_PAIR), b = timed_socket(NN_PAIR);
    int text = NN_WS_MSG_TYPE_TEXT, bad = 3, v = 0, op;
    size_t vlen = sizeof(v);

    CHECK(nn_getsockopt(a, NN_WS, NN_WS_MSG_TYPE, &v, &vlen) == 0 &&
          v == NN_WS_MSG_TYPE_BINARY);
    CHECK(nn_setsockopt(a, NN_WS, NN_WS_MSG_TYPE, &bad, sizeof(bad)) == -1 &&
          nn_errno() == EINVAL);
    /* Read at connect time (client) / accept time (server). */
    CHECK(nn_setsockopt(a, NN_WS, NN_WS_MSG_TYPE, &text, sizeof(text)) == 0);
    CHECK(bind_ws(b, addr, sizeof(addr)) > 0);
    CHECK(nn_connect(a, addr) >= 0);
    CHECK(nn_send(a, "t\xc3\xa9xt", 5, 0) == 5);
    CHECK(recv_op(b, buf, sizeof(buf), &op) == 5 && op == NN_WS_MSG_TYPE_TEXT);
    CHECK(nn_send(b, "bin\xff", 4, 0) == 4);
    CHECK(recv_op(a, buf, sizeof(buf), &op) == 4 &&
          op == NN_WS_MSG_TYPE_BINARY);

    /* A per-message cmsg overrides the endpoint's type. */
    {
        unsigned char ctl[NN_CMSG_SPACE(1)];
        struct nn_cmsghdr *c = (struct nn_cmsghdr *) ctl;
        struct nn_iovec iov = {"over", 4};
        struct nn_msghdr hdr;
        memset(ctl, 0, sizeof(ctl));
        c->cmsg_len = NN_CMSG_LEN(1);
        c->cmsg_level = NN_WS;
        c->cmsg_type = NN_WS_MSG_TYPE;
        NN_CMSG_DATA(c)[0] = NN_WS_MSG_TYPE_TEXT;
        memset(&hdr, 0, sizeof(hdr));
        hdr.msg_iov = &iov;
        hdr.msg_iovlen = 1;
        hdr.msg_control = ctl;
        hdr.msg_controllen = sizeof(ctl);
        CHECK(nn_sendmsg(b, &hdr, 0) == 4);
        CHECK(recv_op(a, buf, sizeof(buf), &op) == 4 &&
              op == NN_WS_MSG_TYPE_TEXT);
        NN_CMSG_DATA(c)[0] = NN_WS_MSG_TYPE_BINARY;
        CHECK(nn_sendmsg(a, &hdr, 0) == 4);
        CHECK(recv_op(b, buf, sizeof(buf), &op) == 4 &&
              op == NN_WS_MSG_TYPE_BINARY);
    }
    /* Invalid UTF-8 in text mode makes the receiver close with 1007: the
       message never arrives and the client reconnects. */
    CHECK(nn_send(a, "\xff\xfe", 2, 0) == 2);
    {
        int tmo = 300;
        nn_setsockopt(b, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo));
        CHECK(nn_recv(b, buf, sizeof(buf), 0) == -1 && nn_errno() == ETIMEDOUT);
        tmo = 3000;
        nn_setsockopt(b, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo));
    }
    CHECK(nn_get_statistic(b, NN_STAT_BROKEN_CONNECTIONS) >= 1);
    sleep_ms(300);
    CHECK(nn_send(a, "again", 5, 0) == 5);
    CHECK(recv_op(b, buf, sizeof(buf), &op) == 5 && op == NN_WS_MSG_TYPE_TEXT);
    CHECK(nn_close(a) == 0);
    CHECK(nn_close(b) == 0);
}

/* ---- raw peers ---------------------------------------------------------- */

static int raw_connect(int port)
{
    struct sockaddr_in sa;
    struct timeval tv = {3, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t) port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    CHECK(connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
    return fd;
}

static int send_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len > 0) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        c += n;
        len -= (size_t) n;
    }
    return 0;
}

static int recv_exact(int fd, void *p, size_t len)
{
    char *c = p;
    while (len > 0) {
        ssize_t n = recv(fd, c, len, 0);
        if (n <= 0)
            return -1;
        c += n;
        len -= (size_t) n;
    }
    return 0;
}

/* Read an HTTP header block byte by byte; its length or -1. */
static int read_block(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (recv(fd, buf + n, 1, 0) != 1)
            return -1;
        n++;
        buf[n] = '\0';
        if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
            return (int) n;
    }
    return -1;
}

static const uint8_t MK[4] = {0xa1, 0xb2, 0xc3, 0xd4};

static void raw_frame(int fd, uint8_t b0, const void *payload, size_t len,
                      int masked)
{
    uint8_t buf[512];
    size_t n = nn_wsf_header(buf, 0, len, masked ? MK : NULL);
    buf[0] = b0;
    if (masked)
        nn_wsf_mask(buf + n, payload, len, MK, 0);
    else
        memcpy(buf + n, payload, len);
    CHECK(send_all(fd, buf, n + len) == 0);
}

/* Read one unmasked frame (server -> client); returns the payload length
   or -1, with the first byte in *b0. */
static int raw_read_frame(int fd, uint8_t *b0, uint8_t *payload, size_t cap)
{
    uint8_t h[2], ext[8];
    uint64_t len;
    int i;

    if (recv_exact(fd, h, 2) != 0)
        return -1;
    *b0 = h[0];
    CHECK(!(h[1] & 0x80));
    len = h[1] & 0x7f;
    if (len == 126) {
        if (recv_exact(fd, ext, 2) != 0)
            return -1;
        len = ((uint64_t) ext[0] << 8) | ext[1];
    } else if (len == 127) {
        if (recv_exact(fd, ext, 8) != 0)
            return -1;
        for (len = 0, i = 0; i < 8; i++)
            len = (len << 8) | ext[i];
    }
    if (len > cap || recv_exact(fd, payload, (size_t) len) != 0)
        return -1;
    return (int) len;
}

static int raw_ws_client(int port, const char *proto)
{
    char req[512], resp[600], accept[NN_WSHS_ACCEPT_LEN + 1];
    int fd = raw_connect(port), n;
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";

    n = nn_wshs_request(req, sizeof(req), "/some/path", "127.0.0.1", key,
                        proto);
    CHECK(send_all(fd, req, (size_t) n) == 0);
    n = read_block(fd, resp, sizeof(resp));
    CHECK(n > 0);
    nn_wshs_accept(key, strlen(key), accept);
    CHECK(n > 0 && strstr(resp, accept) != NULL);
    CHECK(n > 0 && strncmp(resp, "HTTP/1.1 101 ", 13) == 0);
    return fd;
}

static void expect_close_frame(int fd, int code, const char *reason)
{
    uint8_t b0, p[200];
    int n = raw_read_frame(fd, &b0, p, sizeof(p));

    CHECK(n >= 2 && b0 == 0x88);
    if (n >= 2) {
        CHECK(((p[0] << 8) | p[1]) == code);
        if (reason)
            CHECK((size_t) n - 2 == strlen(reason) &&
                  memcmp(p + 2, reason, (size_t) n - 2) == 0);
    }
    /* Then the server closes. */
    CHECK(recv(fd, p, 1, 0) == 0);
}

static void test_raw_client(void)
{
    char addr[64], buf[64];
    int s = timed_socket(NN_PAIR), port, fd, op;
    uint8_t b0, p[64];

    port = bind_ws(s, addr, sizeof(addr));
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    /* "Hel" + ping("hi") + "lo" (FIN): the ping comes up first, then the
       text message whole. */
    raw_frame(fd, 0x01, "Hel", 3, 1);
    raw_frame(fd, 0x89, "hi", 2, 1);
    raw_frame(fd, 0x80, "lo", 2, 1);
    CHECK(recv_op(s, buf, sizeof(buf), &op) == 2 && op == 9 &&
          memcmp(buf, "hi", 2) == 0);
    CHECK(recv_op(s, buf, sizeof(buf), &op) == 5 && op == 1 &&
          memcmp(buf, "Hello", 5) == 0);
    raw_frame(fd, 0x8a, "po", 2, 1);
    CHECK(recv_op(s, buf, sizeof(buf), &op) == 2 && op == 10);
    /* Frames to the client are unmasked binary. */
    CHECK(nn_send(s, "back", 4, 0) == 4);
    CHECK(raw_read_frame(fd, &b0, p, sizeof(p)) == 4 && b0 == 0x82 &&
          memcmp(p, "back", 4) == 0);
    /* A Close with a code is echoed, then the connection closes. */
    raw_frame(fd, 0x88, "\x0f\xa0" "bye", 5, 1);
    expect_close_frame(fd, 4000, "");
    close(fd);

    /* Protocol errors get a Close with the reason, then the end. */
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x82, "abc", 3, 0);
    expect_close_frame(fd, 1002, "Server expects MASK bit to be set.");
    close(fd);
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x83, "abc", 3, 1);
    expect_close_frame(fd, 1002, "Invalid opcode.");
    close(fd);
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x81, "\xc0\xaf", 2, 1);
    expect_close_frame(fd, 1007, "Invalid UTF-8 code point in payload.");
    close(fd);
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x88, "", 0, 1);
    expect_close_frame(fd, 1000, "");
    close(fd);

    /* RCVMAXSIZE: 1009 and no allocation of the claimed size. */
    {
        int max = 100;
        uint8_t big[200];
        CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max,
                            sizeof(max)) == 0);
        fd = raw_ws_client(port, "pair.sp.nanomsg.org");
        memset(big, 'x', sizeof(big));
        raw_frame(fd, 0x82, big, 100, 1);
        CHECK(nn_recv(s, buf, sizeof(buf), 0) == 100);   /* truncated */
        raw_frame(fd, 0x82, big, 101, 1);
        expect_close_frame(fd, 1009, "Message size exceeds limit.");
        close(fd);
        fd = raw_ws_client(port, "pair.sp.nanomsg.org");
        CHECK(send_all(fd, "\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff"
                           "\x01\x02\x03\x04", 14) == 0);
        expect_close_frame(fd, 1009, NULL);
        close(fd);
        max = 1024 * 1024;
        nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof(max));
    }

    /* Handshake refusals: a 400 ending in a blank line, then close. */
    {
        char req[512], resp[512];
        int n;
        fd = raw_connect(port);
        n = nn_wshs_request(req, sizeof(req), "/", "x", "a2V5a2V5a2V5a2V5a2V5aw==",
                            "req.sp.nanomsg.org");
        CHECK(send_all(fd, req, (size_t) n) == 0);
        n = read_block(fd, resp, sizeof(resp));
        CHECK(n > 0 && strcmp(resp, "HTTP/1.1 400 Incompatible Socket Type\r\n"
                                    "Sec-WebSocket-Version: 13\r\n"
                                    "Connection: close\r\n\r\n") == 0);
        CHECK(recv(fd, resp, 1, 0) == 0);
        close(fd);
        fd = raw_connect(port);
        CHECK(send_all(fd, "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 28) == 0);
        n = read_block(fd, resp, sizeof(resp));
        CHECK(n > 0 && strncmp(resp, "HTTP/1.1 400 Bad Request Line\r\n", 31) == 0);
        CHECK(recv(fd, resp, 1, 0) == 0);
        close(fd);
        /* Oversize request. */
        fd = raw_connect(port);
        memset(req, 'a', sizeof(req));
        memcpy(req, "GET / HTTP/1.1\r\nX: ", 19);
        for (n = 0; n < 10; n++)
            CHECK(send_all(fd, req, sizeof(req)) == 0);
        n = read_block(fd, resp, sizeof(resp));
        CHECK(n > 0 &&
              strncmp(resp, "HTTP/1.1 400 Opening Handshake Too Long\r\n", 41) ==
                  0);
        close(fd);
    }
    /* The socket still works after all that. */
    fd = raw_ws_client(port, "PAIR.sp.nanomsg.org");
    raw_frame(fd, 0x82, "fine", 4, 1);
    check_recv(s, "fine");
    close(fd);
    CHECK(nn_close(s) == 0);
}

static int raw_listen(int *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
    CHECK(listen(fd, 10) == 0);
    CHECK(getsockname(fd, (struct sockaddr *) &sa, &len) == 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int raw_accept(int lfd)
{
    struct pollfd pfd = {lfd, POLLIN, 0};
    struct timeval tv = {3, 0};
    int fd;

    if (poll(&pfd, 1, 3000) != 1)
        return -1;
    fd = accept(lfd, NULL, NULL);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Header value of `name` in a request block (exact case), or NULL. */
static const char *header(const char *blk, const char *name, char *out,
                          size_t cap)
{
    const char *p = strstr(blk, name), *e;
    if (!p)
        return NULL;
    p += strlen(name);
    e = strstr(p, "\r\n");
    if (!e || (size_t) (e - p) >= cap)
        return NULL;
    memcpy(out, p, (size_t) (e - p));
    out[e - p] = '\0';
    return out;
}

static void test_raw_server(void)
{
    char addr[128], blk[1024], key[64], reply[512], acc[NN_WSHS_ACCEPT_LEN + 1];
    int port, lfd = raw_listen(&port), fd, s = timed_socket(NN_REQ), n, i;
    uint8_t h[14], p[64];

    snprintf(addr, sizeof(addr), "ws://127.0.0.1:%d/a/b?c=d", port);
    CHECK(nn_connect(s, addr) >= 0);
    CHECK(nn_send(s, "hello", 5, 0) == 5);
    fd = raw_accept(lfd);
    CHECK(fd >= 0);
    n = read_block(fd, blk, sizeof(blk));
    CHECK(n > 0);
    snprintf(reply, sizeof(reply), "GET /a/b?c=d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ",
             port);
    CHECK(n > 0 && strncmp(blk, reply, strlen(reply)) == 0);
    CHECK(strstr(blk, "\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n") !=
          NULL);
    CHECK(header(blk, "Sec-WebSocket-Key: ", key, sizeof(key)) != NULL &&
          strlen(key) == 24);
    nn_wshs_accept(key, strlen(key), acc);
    /* A reply split in pieces, without the protocol line (not checked). */
    n = snprintf(reply, sizeof(reply),
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                 acc);
    CHECK(send_all(fd, reply, 10) == 0);
    sleep_ms(20);
    CHECK(send_all(fd, reply + 10, (size_t) n - 10) == 0);
    /* The queued request arrives masked: 82 89 mask, id word + "hello". */
    CHECK(recv_exact(fd, h, 6) == 0);
    CHECK(h[0] == 0x82 && h[1] == (0x80 | 9));
    CHECK(recv_exact(fd, p, 9) == 0);
    for (i = 0; i < 9; i++)
        p[i] ^= h[2 + (i % 4)];
    CHECK((p[0] & 0x80) && memcmp(p + 4, "hello", 5) == 0);
    /* Reply with the same id, unmasked, fragmented, a ping in between. */
    {
        uint8_t f[64];
        size_t k = 0;
        f[k++] = 0x02; f[k++] = 6; memcpy(f + k, p, 4); k += 4;
        memcpy(f + k, "wo", 2); k += 2;
        f[k++] = 0x89; f[k++] = 0;
        f[k++] = 0x80; f[k++] = 3; memcpy(f + k, "rld", 3); k += 3;
        CHECK(send_all(fd, f, k) == 0);
    }
    {
        char buf[64];
        CHECK(nn_recv(s, buf, sizeof(buf), 0) == 5 && memcmp(buf, "world", 5) == 0);
    }
    /* The server drops the connection: the client reconnects. */
    close(fd);
    fd = raw_accept(lfd);
    CHECK(fd >= 0);
    if (fd >= 0) {
        n = read_block(fd, blk, sizeof(blk));
        CHECK(n > 0 && strncmp(blk, "GET /a/b?c=d HTTP/1.1\r\n", 23) == 0);
        /* A bad accept key: the client gives up on this connection. */
        CHECK(send_all(fd, "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n",
                       85) == 0);
        CHECK(recv(fd, p, 1, 0) == 0);
        close(fd);
    }
    fd = raw_accept(lfd);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    sleep_ms(100);
    CHECK(nn_get_statistic(s, NN_STAT_ESTABLISHED_CONNECTIONS) >= 3);
    CHECK(nn_get_statistic(s, NN_STAT_BROKEN_CONNECTIONS) >= 2);
    CHECK(nn_close(s) == 0);
    close(lfd);
}

static void test_addresses(void)
{
    int s = timed_socket(NN_PAIR), v = 0;

    CHECK(nn_bind(s, "ws://127.0.0.1") == -1 && nn_errno() == EINVAL);
    /* A path may be bound, but not a query, a fragment, a space or "//"
       (all refused before any socket is made). */
    CHECK(nn_bind(s, "ws://127.0.0.1:5555/p?x=1") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:5555?x=1") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:5555/p#f") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:5555/a b") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:5555//x") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1/path") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:0") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://127.0.0.1:65536") == -1 && nn_errno() == EINVAL);
    CHECK(nn_bind(s, "ws://no_such_if0:5555") == -1 && nn_errno() == ENODEV);
    CHECK(nn_bind(s, "ws://[::1]:5555") == -1 && nn_errno() == ENODEV);
    CHECK(nn_connect(s, "ws://127.0.0.1/x:y") == -1 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "ws://127.0.0.1:/x") == -1 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "ws://bad_host:80") == -1 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "ws://:80") == -1 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "ws://[::1]:80/x") == -1 && nn_errno() == EINVAL);
    CHECK(nn_connect(s, "ws://no_such_if0;127.0.0.1:80") == -1 && nn_errno() == ENODEV);
    CHECK(nn_connect(s, "ws://127.0.0.1") >= 0);
    CHECK(nn_connect(s, "ws://localhost/x") >= 0);
    CHECK(nn_connect(s, "ws://127.0.0.1;localhost:1/x?y") >= 0);
    CHECK(nn_connect(s, "ws://*;localhost") >= 0);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_IPV4ONLY, &v, sizeof(v)) == 0);
    CHECK(nn_connect(s, "ws://[::1]:80/x") >= 0);
    CHECK(nn_close(s) == 0);
}

/* Hostile or broken peers: the socket lives on and leaks nothing. */
static void test_faults(void)
{
    char addr[64], buf[600];
    int s = timed_socket(NN_PAIR), port, fd, fd2, idle, i, half[3];
    uint64_t t0;

    port = bind_ws(s, addr, sizeof(addr));
    /* Idle: no request at all. Closed after the 5 s handshake limit. */
    idle = raw_connect(port);
    {
        struct timeval tv = {7, 0};
        setsockopt(idle, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    /* Garbage instead of a request, then the peer goes away. */
    fd = raw_connect(port);
    memset(buf, 0xee, sizeof(buf));
    CHECK(send_all(fd, buf, 300) == 0);
    close(fd);
    /* A peer dying in the middle of a message. */
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    CHECK(send_all(fd, "\x82\xfe\x03\xe8\x01\x02\x03\x04partial", 15) == 0);
    sleep_ms(50);
    close(fd);
    /* Half-close after a message: the message arrives. */
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x82, "last", 4, 1);
    check_recv(s, "last");
    shutdown(fd, SHUT_WR);
    CHECK(recv(fd, buf, 1, 0) == 0);
    close(fd);
    /* A second PAIR peer completes the handshake, then is closed. */
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    fd2 = raw_ws_client(port, "pair.sp.nanomsg.org");
    CHECK(recv(fd2, buf, 1, 0) == 0);
    close(fd2);
    raw_frame(fd, 0x82, "first", 5, 1);
    check_recv(s, "first");
    close(fd);
    /* An incompatible socket of ours never gets a message through. */
    {
        int push = timed_socket(NN_PUSH), tmo = 300;
        CHECK(nn_setsockopt(push, NN_SOL_SOCKET, NN_SNDTIMEO, &tmo,
                            sizeof(tmo)) == 0);
        CHECK(nn_connect(push, addr) >= 0);
        CHECK(nn_send(push, "nope", 4, 0) == -1 && nn_errno() == ETIMEDOUT);
        CHECK(nn_get_statistic(push, NN_STAT_BROKEN_CONNECTIONS) >= 1);
        CHECK(nn_close(push) == 0);
    }
    /* The idle connection is cut at the deadline. */
    t0 = (uint64_t) time(NULL);
    CHECK(recv(idle, buf, 1, 0) == 0);
    CHECK((uint64_t) time(NULL) - t0 <= 6);
    close(idle);
    /* Still serving. */
    fd = raw_ws_client(port, "pair.sp.nanomsg.org");
    raw_frame(fd, 0x82, "alive", 5, 1);
    check_recv(s, "alive");
    /* Closing the socket with live and half-open connections. */
    for (i = 0; i < 3; i++)
        half[i] = raw_connect(port);
    sleep_ms(50);
    CHECK(nn_close(s) == 0);
    CHECK(recv(fd, buf, 1, 0) == 0);
    close(fd);
    for (i = 0; i < 3; i++) {
        CHECK(recv(half[i], buf, 1, 0) == 0);
        close(half[i]);
    }
}

/* The client keeps retrying until a server appears. */
static void test_reconnect(void)
{
    char addr[64];
    int a = timed_socket(NN_PAIR), b = timed_socket(NN_PAIR), c, eid;

    CHECK(bind_ws(a, addr, sizeof(addr)) > 0);
    eid = nn_connect(b, addr);
    CHECK(eid >= 0);
    CHECK(nn_send(b, "one", 3, 0) == 3);
    check_recv(a, "one");
    CHECK(nn_close(a) == 0);
    sleep_ms(200);
    c = timed_socket(NN_PAIR);
    CHECK(nn_bind(c, addr) >= 0);
    CHECK(nn_send(b, "two", 3, 0) == 3);
    check_recv(c, "two");
    CHECK(nn_shutdown(b, eid) == 0);
    CHECK(nn_close(b) == 0);
    CHECK(nn_close(c) == 0);
}

/* Paths sharing one port across sockets: each client reaches the
   endpoint of its path, through the host's shutdown (its listener passes
   to a guest) and with sockets closed in any order (ASan checks the
   hand-over). */
static void test_shared_port(void)
{
    char addr[64], a1[96], a2[96], b1[96];
    int a = timed_socket(NN_PULL), b = timed_socket(NN_PULL), x = timed_socket(NN_PAIR);
    int ea1, port, p1, p2, p3;

    /* A port the kernel just gave out and took back: another process's
       outgoing connection may take it meanwhile (tests run in parallel),
       so a bind that finds it in use tries another one. */
    for (int tries = 0;; tries++) {
        port = bind_ws(x, addr, sizeof(addr));
        CHECK(port > 0);
        CHECK(nn_close(x) == 0);
        x = timed_socket(NN_PAIR);
        snprintf(a1, sizeof(a1), "%s/a1", addr);
        sleep_ms(50);
        ea1 = nn_bind(a, a1);
        if (ea1 >= 0 || nn_errno() != EADDRINUSE || tries == 20)
            break;
    }
    CHECK(ea1 >= 0);
    CHECK(nn_close(x) == 0);
    snprintf(a2, sizeof(a2), "%s/a2", addr);
    snprintf(b1, sizeof(b1), "%s/b1", addr);
    CHECK(nn_bind(a, a2) >= 0);
    CHECK(nn_bind(b, b1) >= 0);
    CHECK(nn_bind(b, a1) == -1 && nn_errno() == EADDRINUSE);
    CHECK(nn_bind(b, addr) == -1 && nn_errno() == EADDRINUSE);
    p1 = timed_socket(NN_PUSH);
    p2 = timed_socket(NN_PUSH);
    p3 = timed_socket(NN_PUSH);
    CHECK(nn_connect(p1, a1) >= 0);
    CHECK(nn_connect(p2, b1) >= 0);
    CHECK(nn_send(p1, "to-a", 4, 0) == 4);
    CHECK(nn_send(p2, "to-b", 4, 0) == 4);
    check_recv(a, "to-a");
    check_recv(b, "to-b");
    /* The listener's first owner goes: the others keep the port. */
    CHECK(nn_shutdown(a, ea1) == 0);
    CHECK(nn_connect(p3, a2) >= 0);
    CHECK(nn_send(p3, "to-a2", 5, 0) == 5);
    check_recv(a, "to-a2");
    CHECK(nn_close(a) == 0);
    CHECK(nn_send(p2, "again", 5, 0) == 5);
    check_recv(b, "again");
    CHECK(nn_close(p1) == 0);
    CHECK(nn_close(p2) == 0);
    CHECK(nn_close(p3) == 0);
    CHECK(nn_close(b) == 0);
}

int main(void)
{
    test_pair(0);
    test_pair(1);
    test_reqrep(0);
    test_reqrep(1);
    test_text_mode();
    test_raw_client();
    test_raw_server();
    test_addresses();
    test_reconnect();
    test_faults();
    test_shared_port();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_ws: all checks passed\n");
    return 0;
}
