/* Base64 with the RFC 4648 alphabet. Decoding is strict (padding
   required, no whitespace) because its only use is validating keys. */
#include "base64.h"

#include <limits.h>

static const char nn_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int nn_base64_encode(const void *in, size_t len, char *out, size_t outsz)
{
    const uint8_t *p = in;
    size_t i, o = 0;
    uint32_t v;

    if (len > (size_t) INT_MAX / 4 * 3 - 3 || outsz < NN_BASE64_LEN(len) + 1)
        return -1;
    for (i = 0; i + 3 <= len; i += 3) {
        v = ((uint32_t) p[i] << 16) | ((uint32_t) p[i + 1] << 8) | p[i + 2];
        out[o++] = nn_b64_alphabet[(v >> 18) & 63];
        out[o++] = nn_b64_alphabet[(v >> 12) & 63];
        out[o++] = nn_b64_alphabet[(v >> 6) & 63];
        out[o++] = nn_b64_alphabet[v & 63];
    }
    if (i < len) {
        v = (uint32_t) p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t) p[i + 1] << 8;
        out[o++] = nn_b64_alphabet[(v >> 18) & 63];
        out[o++] = nn_b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? nn_b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return (int) o;
}

static int nn_b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int nn_base64_decode(const char *in, size_t len, uint8_t *out, size_t outsz)
{
    size_t i, o = 0;

    if (len % 4 != 0 || len > (size_t) INT_MAX)
        return -1;
    for (i = 0; i < len; i += 4) {
        int last = i + 4 == len;
        int pad = 0;
        uint32_t v = 0;
        int j;

        for (j = 0; j < 4; j++) {
            int d;
            if (in[i + j] == '=' && last && j >= 2) {
                /* "x=" followed by a non-pad is malformed. */
                if (j == 2 && in[i + 3] != '=')
                    return -1;
                pad++;
                d = 0;
            } else {
                if (pad)
                    return -1;
                d = nn_b64_value(in[i + j]);
                if (d < 0)
                    return -1;
            }
            v = (v << 6) | (uint32_t) d;
        }
        if (o + 3 - (size_t) pad > outsz)
            return -1;
        out[o++] = (uint8_t) (v >> 16);
        if (pad < 2)
            out[o++] = (uint8_t) (v >> 8);
        if (pad < 1)
            out[o++] = (uint8_t) v;
    }
    return (int) o;
}
