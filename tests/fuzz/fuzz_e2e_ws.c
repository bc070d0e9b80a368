/* libFuzzer target, end to end: bytes from a peer into a live ws://
   connection of a socket of every protocol, raw or not, as server (we
   send the request) or as client (we answer its request), see e2e.h for
   the harness and its oracles.

   Input: a knob byte (bits 0-3: protocol, mod 10; bit 4: raw socket;
   bit 6: the socket dials us (it is the client, our frames go
   unmasked); bit 7: the input supplies the handshake itself, else a
   valid request or response for the peer type is sent first), then the
   bytes: WebSocket frames, mostly. */
#include "transports/wshandshake.h"

#include "e2e_conn.h"

static int socks[2][E2E_NPROTO];        /* [raw][proto] + 1, 0: none */
static unsigned ports[2][E2E_NPROTO];
static int lfd = -1;
static unsigned lport;

static int get_socket(int raw, int p)
{
    int s;

    if (socks[raw][p] != 0)
        return socks[raw][p] - 1;
    s = e2e_socket(p, raw);
    FUZZ_ASSERT(nn_bind(s, "ws://127.0.0.1:1") >= 0);
    ports[raw][p] = fuzz_sandbox_port();
    socks[raw][p] = s + 1;
    return s;
}

/* The client's request header block; its key goes to `key`. */
static void read_request(int fd, char *key, size_t keysz)
{
    char req[NN_WSHS_REQ_MAX + 1];
    size_t len = 0;
    const char *k, *e;
    int blk;

    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t r;
        FUZZ_ASSERT(poll(&pf, 1, E2E_WAIT_MS) == 1);
        r = recv(fd, req + len, NN_WSHS_REQ_MAX - len, 0);
        FUZZ_ASSERT(r > 0);
        len += (size_t) r;
        blk = nn_wshs_block_len(req, len, NN_WSHS_REQ_MAX);
        FUZZ_ASSERT(blk >= 0);
        if (blk > 0)
            break;
    }
    req[len] = 0;
    k = strstr(req, "Sec-WebSocket-Key: ");
    FUZZ_ASSERT(k != NULL);
    k += strlen("Sec-WebSocket-Key: ");
    e = strstr(k, "\r\n");
    FUZZ_ASSERT(e != NULL && (size_t) (e - k) < keysz);
    memcpy(key, k, (size_t) (e - k));
    key[e - k] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t nonce[NN_WSHS_NONCE_LEN] = "0123456789abcdef";
    struct fz f = {data, size};
    uint8_t k = fz_u8(&f);
    int p = (k & 15) % E2E_NPROTO, raw = (k >> 4) & 1;
    int dial = (k >> 6) & 1, own_hs = (k >> 7) & 1;
    int s = get_socket(raw, p), fd, eid = -1, n;
    const char *peer = nn_wshs_name(e2e_peers[p]);
    char hs[1024], key[NN_WSHS_KEY_LEN + 64], acc[NN_WSHS_ACCEPT_LEN + 1];
    struct e2e_addr a;
    const uint8_t *rest;
    size_t len;

    FUZZ_ASSERT(peer != NULL);
    if (dial) {
        if (lfd < 0) {
            e2e_tcp_addr(&a, 1);   /* any port: see sandbox.c */
            lfd = e2e_listen(&a, &lport);
        }
        snprintf(hs, sizeof(hs), "ws://127.0.0.1:%u/fuzz", lport);
        eid = nn_connect(s, hs);
        FUZZ_ASSERT(eid >= 0);
        fd = e2e_accept(lfd);
        read_request(fd, key, sizeof(key));
        if (!own_hs) {
            nn_wshs_accept(key, strlen(key), acc);
            n = snprintf(hs, sizeof(hs),
                         "HTTP/1.1 101 Switching Protocols\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: %s\r\n"
                         "Sec-WebSocket-Protocol: %s\r\n\r\n",
                         acc, nn_wshs_name(e2e_protos[p]));
            e2e_write_all(fd, (const uint8_t *) hs, (size_t) n);
        }
    } else {
        e2e_tcp_addr(&a, ports[raw][p]);
        fd = e2e_connect(&a);
        if (!own_hs) {
            nn_wshs_key(nonce, key);
            n = nn_wshs_request(hs, sizeof(hs), "/", "127.0.0.1", key, peer);
            FUZZ_ASSERT(n > 0);
            e2e_write_all(fd, (const uint8_t *) hs, (size_t) n);
        }
    }
    rest = fz_take(&f, SIZE_MAX, &len);
    e2e_write_all(fd, rest, len);
    e2e_finish(fd, s);
    if (dial) {
        FUZZ_ASSERT(nn_shutdown(s, eid) == 0);
        e2e_drain(lfd);
    }
    return 0;
}
