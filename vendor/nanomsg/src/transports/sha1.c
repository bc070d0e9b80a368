/* SHA-1 as specified by FIPS 180-4. Not used for anything security
   related: RFC 6455 only uses it to prove the server read the key. */
#include "sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void nn_sha1_block(struct nn_sha1 *c, const uint8_t *p)
{
    uint32_t w[80];
    uint32_t a, b, d, e, f, k, t, cc;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t) p[4 * i] << 24) | ((uint32_t) p[4 * i + 1] << 16) |
               ((uint32_t) p[4 * i + 2] << 8) | (uint32_t) p[4 * i + 3];
    for (i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

    a = c->h[0];
    b = c->h[1];
    cc = c->h[2];
    d = c->h[3];
    e = c->h[4];
    for (i = 0; i < 80; i++) {
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5a827999u;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ed9eba1u;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ cc ^ d;
            k = 0xca62c1d6u;
        }
        t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
}

void nn_sha1_init(struct nn_sha1 *c)
{
    c->h[0] = 0x67452301u;
    c->h[1] = 0xefcdab89u;
    c->h[2] = 0x98badcfeu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xc3d2e1f0u;
    c->total = 0;
    c->fill = 0;
}

void nn_sha1_update(struct nn_sha1 *c, const void *data, size_t len)
{
    const uint8_t *p = data;

    c->total += len;
    while (len > 0) {
        size_t n = sizeof(c->block) - c->fill;
        if (n > len)
            n = len;
        memcpy(c->block + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill == sizeof(c->block)) {
            nn_sha1_block(c, c->block);
            c->fill = 0;
        }
    }
}

void nn_sha1_final(struct nn_sha1 *c, uint8_t out[NN_SHA1_LEN])
{
    uint64_t bits = c->total * 8;
    static const uint8_t pad = 0x80;
    static const uint8_t zero[64];
    uint8_t lenbuf[8];
    int i;

    /* Padding: 0x80, zeros up to 56 mod 64, then the bit length. */
    nn_sha1_update(c, &pad, 1);
    nn_sha1_update(c, zero, (c->fill <= 56 ? 56 : 120) - c->fill);
    for (i = 0; i < 8; i++)
        lenbuf[i] = (uint8_t) (bits >> (56 - 8 * i));
    nn_sha1_update(c, lenbuf, 8);
    for (i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t) (c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t) (c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t) (c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t) c->h[i];
    }
}
