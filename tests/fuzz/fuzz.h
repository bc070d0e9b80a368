/* Shared helpers of the libFuzzer targets in this directory. A target's
   input is read front to back through a cursor: knobs first (mode bits,
   sizes), then the bytes under test. Running out of input is not an
   error: every getter then yields zeros, so any input is a valid run. */
#ifndef NN_FUZZ_H
#define NN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An oracle failed: report it the way libFuzzer reports a crash, so the
   input is saved as the reproducer. */
#define FUZZ_ASSERT(cond)                                                  \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: fuzz oracle failed: %s\n", __FILE__,   \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

struct fz {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t fz_u8(struct fz *f)
{
    if (f->left == 0)
        return 0;
    f->left--;
    return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
    uint16_t hi = fz_u8(f);
    return (uint16_t) (hi << 8 | fz_u8(f));
}

/* Up to `max` bytes as a slice of the input (no copy). */
static inline const uint8_t *fz_take(struct fz *f, size_t max, size_t *n)
{
    const uint8_t *p = f->p;
    *n = max < f->left ? max : f->left;
    f->p += *n;
    f->left -= *n;
    return p;
}

/* A copy in a heap block of exactly `n` bytes, so that ASan catches any
   read past the end (the fuzzer's own buffer may have slack). */
static inline char *fz_dup(const uint8_t *p, size_t n)
{
    char *c = malloc(n ? n : 1);
    if (c == NULL)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

/* NUL-terminated copy of up to `max` bytes taken from the input; stops
   early at a NUL in the input, which ends the string. */
static inline char *fz_cstr(struct fz *f, size_t max)
{
    size_t n = 0;
    char *s;

    while (n < max && n < f->left && f->p[n] != 0)
        n++;
    s = malloc(n + 1);
    if (s == NULL)
        abort();
    memcpy(s, f->p, n);
    s[n] = 0;
    if (n < f->left)
        n++;    /* the terminator */
    f->p += n;
    f->left -= n;
    return s;
}

/* Deterministic piece sizes for splitting a stream, from a seed taken
   from the input: mostly small pieces, now and then a large one. */
static inline size_t fz_step(uint32_t *st)
{
    *st = *st * 1103515245u + 12345u;
    switch ((*st >> 16) & 7) {
    case 0: return 1;
    case 1: return 2;
    case 7: return 4096;
    default: return 1 + ((*st >> 20) & 31);
    }
}

#endif
