/* Base64 (RFC 4648, standard alphabet, with padding) for the WebSocket
   handshake keys. */
#ifndef NN_TRANSPORTS_BASE64_H
#define NN_TRANSPORTS_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode `n` bytes, excluding the terminating NUL. */
#define NN_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Encode `len` bytes into `out` and NUL-terminate it. Returns the number
   of characters written (without the NUL), or -1 if `outsz` is too small
   (nothing written then). */
int nn_base64_encode(const void *in, size_t len, char *out, size_t outsz);

/* Decode `len` characters of padded base64. Returns the number of bytes
   written to `out`, or -1 on malformed input or when `outsz` is too small. */
int nn_base64_decode(const char *in, size_t len, uint8_t *out, size_t outsz);

#endif
