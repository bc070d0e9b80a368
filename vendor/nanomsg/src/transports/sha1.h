/* SHA-1 (FIPS 180-4), needed only for the WebSocket accept key. */
#ifndef NN_TRANSPORTS_SHA1_H
#define NN_TRANSPORTS_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define NN_SHA1_LEN 20

struct nn_sha1 {
    uint32_t h[5];
    uint64_t total;      /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;         /* bytes waiting in `block` */
};

void nn_sha1_init(struct nn_sha1 *c);
void nn_sha1_update(struct nn_sha1 *c, const void *data, size_t len);
void nn_sha1_final(struct nn_sha1 *c, uint8_t out[NN_SHA1_LEN]);

#endif
