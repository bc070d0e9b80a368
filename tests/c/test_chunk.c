/* test_chunk.c - the internal chunk API (src/core/chunk.h): reference
   counts, resize and trim, including on shared chunks. */
#include "core/chunk.h"

#include <nanomsg/nn.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static void fill(unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (unsigned char) (i * 7 + 3);
}

static int filled_from(const unsigned char *p, size_t n, size_t start)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != (unsigned char) ((i + start) * 7 + 3))
            return 0;
    return 1;
}

static void test_refcount(void)
{
    unsigned char *p = nn_chunk_alloc(64);

    CHECK(p != NULL);
    if (p == NULL)
        return;
    CHECK(nn_chunk_check(p));
    CHECK(nn_chunk_size(p) == 64);
    CHECK((uintptr_t) p % _Alignof(max_align_t) == 0);
    nn_chunk_ref(p);
    nn_chunk_unref(p);
    CHECK(nn_chunk_check(p));
    /* The public API sees the same chunk. */
    CHECK(nn_freemsg(p) == 0);
    CHECK(!nn_chunk_check(NULL));
}

static void test_trim(void)
{
    unsigned char *p = nn_chunk_alloc(100);
    unsigned char *q;
    size_t n;

    CHECK(p != NULL);
    if (p == NULL)
        return;
    fill(p, 100);

    /* Every small step, so the trailer lands at every alignment. */
    for (n = 0; n < 20; n++) {
        q = nn_chunk_trim(p, 1);
        CHECK(q == p + 1);
        p = q;
        CHECK(nn_chunk_check(p));
        CHECK(nn_chunk_size(p) == 100 - n - 1);
        CHECK(filled_from(p, nn_chunk_size(p), n + 1));
    }
    CHECK(nn_chunk_trim(p, 0) == p);

    /* Shared: the other holder must keep its bytes. */
    nn_chunk_ref(p);
    q = nn_chunk_trim(p, 30);
    CHECK(q != NULL && q != p);
    if (q != NULL) {
        CHECK(nn_chunk_size(q) == 50);
        CHECK(filled_from(q, 50, 50));
        CHECK(nn_chunk_size(p) == 80);
        CHECK(filled_from(p, 80, 20));
        nn_chunk_unref(q);
    }

    /* Trimmed chunks can still grow and be freed through the public API. */
    q = nn_reallocmsg(p, 1000);
    CHECK(q != NULL);
    if (q != NULL) {
        p = q;
        CHECK(nn_chunk_size(p) == 1000);
        CHECK(filled_from(p, 80, 20));
        memset(p + 80, 0, 920);
    }

    /* Trimming more than there is empties the chunk. */
    q = nn_chunk_trim(p, 5000);
    CHECK(q != NULL && nn_chunk_size(q) == 0);
    if (q != NULL)
        p = q;
    CHECK(nn_freemsg(p) == 0);
}

static void test_resize_shared(void)
{
    unsigned char *p = nn_chunk_alloc(40);
    unsigned char *q;

    CHECK(p != NULL);
    if (p == NULL)
        return;
    fill(p, 40);
    nn_chunk_ref(p);

    /* Even a shrink must not change what the other holder sees. */
    q = nn_chunk_resize(p, 10);
    CHECK(q != NULL && q != p);
    if (q != NULL) {
        CHECK(nn_chunk_size(q) == 10 && filled_from(q, 10, 0));
        nn_chunk_unref(q);
    }
    CHECK(nn_chunk_size(p) == 40 && filled_from(p, 40, 0));

    /* Sole owner again: shrink in place, then grow. */
    q = nn_chunk_resize(p, 20);
    CHECK(q == p && nn_chunk_size(p) == 20);
    errno = 0;
    CHECK(nn_chunk_resize(p, SIZE_MAX) == NULL && errno == ENOMEM);
    q = nn_chunk_resize(p, 4096);
    CHECK(q != NULL);
    if (q != NULL) {
        p = q;
        CHECK(filled_from(p, 20, 0));
    }
    nn_chunk_unref(p);
}

/* Each thread takes and drops references; the chunk must survive all of
   them and be freed exactly once by the final unref. */
static void *churn(void *arg)
{
    int i;

    for (i = 0; i < 20000; i++) {
        nn_chunk_ref(arg);
        nn_chunk_unref(arg);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];
    int started = 0;
    int i;
    void *p = nn_chunk_alloc(16);

    CHECK(p != NULL);
    if (p == NULL)
        return;
    for (i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, churn, p) == 0)
            started++;
    CHECK(started == 4);
    for (i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    CHECK(nn_chunk_check(p));
    nn_chunk_unref(p);
}

int main(void)
{
    test_refcount();
    test_threads();
    test_trim();
    test_resize_shared();
    if (failures != 0) {
        fprintf(stderr, "test_chunk: %d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
