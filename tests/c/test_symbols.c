/* test_symbols.c - symbol table, error texts, message chunks and the
   control-message helpers.  Exit status 0 means every check passed. */
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/ws.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SYMBOL_COUNT 121

static void test_symbol(void)
{
    int i;
    int value;
    const char *name;

    for (i = 0; i < SYMBOL_COUNT; i++) {
        value = -12345;
        name = nn_symbol(i, &value);
        CHECK(name != NULL && name[0] != '\0');
        CHECK(value != -12345);
        /* NULL value pointer is allowed. */
        CHECK(nn_symbol(i, NULL) == name);
    }

    errno = 0;
    CHECK(nn_symbol(SYMBOL_COUNT, &value) == NULL);
    CHECK(errno == EINVAL);
    errno = 0;
    CHECK(nn_symbol(-1, &value) == NULL);
    CHECK(errno == EINVAL);

    name = nn_symbol(0, &value);
    CHECK(name && strcmp(name, "NN_NS_NAMESPACE") == 0 && value == 0);
    name = nn_symbol(37, &value);
    CHECK(name && strcmp(name, "NN_REP") == 0 && value == NN_REP);
    name = nn_symbol(81, &value);
    CHECK(name && strcmp(name, "EFSM") == 0 && value == EFSM);
    name = nn_symbol(120, &value);
    CHECK(name && strcmp(name, "NN_STAT_CURRENT_EP_ERRORS") == 0 &&
          value == 203);
}

static void test_symbol_info(void)
{
    struct nn_symbol_properties p;
    int i;
    int count = 0;

    if (sizeof(void *) == 8)
        CHECK(sizeof p == 32);
    for (i = 0; nn_symbol_info(i, &p, (int) sizeof p) != 0; i++) {
        int value;
        CHECK(nn_symbol(i, &value) == p.name);
        CHECK(value == p.value);
        count++;
    }
    CHECK(count == SYMBOL_COUNT);

    memset(&p, 0, sizeof p);
    CHECK(nn_symbol_info(46, &p, (int) sizeof p) == (int) sizeof p);
    CHECK(strcmp(p.name, "NN_LINGER") == 0);
    CHECK(p.value == NN_LINGER && p.ns == NN_NS_SOCKET_OPTION);
    CHECK(p.type == NN_TYPE_INT && p.unit == NN_UNIT_MILLISECONDS);

    CHECK(nn_symbol_info(61, &p, (int) sizeof p) == (int) sizeof p);
    CHECK(strcmp(p.name, "NN_SOCKET_NAME") == 0 && p.type == NN_TYPE_STR);

    CHECK(nn_symbol_info(23, &p, (int) sizeof p) == (int) sizeof p);
    CHECK(strcmp(p.name, "NN_UNIT_COUNTER") == 0 && p.value == 6 &&
          p.ns == NN_NS_OPTION_UNIT);

    CHECK(nn_symbol_info(96, &p, (int) sizeof p) == (int) sizeof p);
    CHECK(strcmp(p.name, "ETERM") == 0 && p.value == ETERM &&
          p.ns == NN_NS_ERROR && p.type == NN_TYPE_NONE);

    CHECK(nn_symbol_info(113, &p, (int) sizeof p) == (int) sizeof p);
    CHECK(strcmp(p.name, "NN_STAT_MESSAGES_SENT") == 0 && p.value == 301 &&
          p.ns == NN_NS_STATISTIC && p.unit == NN_UNIT_MESSAGES);

    /* A short buffer gets a prefix and nothing beyond it. */
    {
        unsigned char raw[sizeof(struct nn_symbol_properties)];
        int v;
        memset(raw, 0xAA, sizeof raw);
        CHECK(nn_symbol_info(44, (struct nn_symbol_properties *) raw, 4) == 4);
        memcpy(&v, raw, sizeof v);
        CHECK(v == NN_SOCKADDR_MAX);
        CHECK(raw[4] == 0xAA && raw[sizeof raw - 1] == 0xAA);
    }

    errno = 12345;
    CHECK(nn_symbol_info(SYMBOL_COUNT, &p, (int) sizeof p) == 0);
    CHECK(nn_symbol_info(-1, &p, (int) sizeof p) == 0);
    CHECK(errno == 12345);
}

static void test_errors(void)
{
    CHECK(ETERM == NN_HAUSNUMERO + 53);
    CHECK(EFSM == NN_HAUSNUMERO + 54);
    CHECK(strcmp(nn_strerror(ETERM), "Nanomsg library was terminated") == 0);
    CHECK(strcmp(nn_strerror(EFSM),
                 "Operation cannot be performed in this state") == 0);
    CHECK(strcmp(nn_strerror(EINVAL), strerror(EINVAL)) == 0);
    CHECK(nn_strerror(NN_HAUSNUMERO + 1) != NULL);

    errno = EADDRINUSE;
    CHECK(nn_errno() == EADDRINUSE);
}

static void test_msg(void)
{
    unsigned char *m;
    unsigned char *m2;
    size_t i;

    errno = 0;
    CHECK(nn_allocmsg(10, 1) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(nn_allocmsg(SIZE_MAX, 0) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(nn_allocmsg(SIZE_MAX - 8, 0) == NULL && errno == ENOMEM);

    m = nn_allocmsg(0, 0);
    CHECK(m != NULL);
    CHECK(nn_freemsg(m) == 0);

    m = nn_allocmsg(100, 0);
    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK((uintptr_t) m % _Alignof(max_align_t) == 0);
    for (i = 0; i < 100; i++)
        m[i] = (unsigned char) i;

    /* Shrinking keeps the pointer. */
    m2 = nn_reallocmsg(m, 50);
    CHECK(m2 == m);
    m = m2;

    /* Growing keeps the contents. */
    m2 = nn_reallocmsg(m, 100000);
    CHECK(m2 != NULL);
    if (m2 != NULL) {
        m = m2;
        for (i = 0; i < 50; i++)
            CHECK(m[i] == (unsigned char) i);
        memset(m + 50, 7, 100000 - 50);
    }

    /* A failed grow leaves the old message usable. */
    errno = 0;
    CHECK(nn_reallocmsg(m, SIZE_MAX - 4) == NULL && errno == ENOMEM);
    CHECK(m[49] == 49);
    CHECK(nn_freemsg(m) == 0);

    errno = 0;
    CHECK(nn_freemsg(NULL) == -1 && errno == EFAULT);
    errno = 0;
    CHECK(nn_reallocmsg(NULL, 10) == NULL && errno == EFAULT);

    /* A pointer into a plain heap block is rejected, not freed.  It sits
       well inside the block so the tag check reads only our memory. */
    {
        unsigned char *plain = calloc(1, 256);
        CHECK(plain != NULL);
        if (plain != NULL) {
            errno = 0;
            CHECK(nn_freemsg(plain + 128) == -1 && errno == EFAULT);
            errno = 0;
            CHECK(nn_freemsg(plain + 129) == -1 && errno == EFAULT);
            free(plain);
        }
    }
}

static void test_cmsg_macros(void)
{
    CHECK(NN_CMSG_ALIGN_(0) == 0);
    CHECK(NN_CMSG_ALIGN_(1) == sizeof(size_t));
    CHECK(NN_CMSG_ALIGN_(sizeof(size_t)) == sizeof(size_t));
    if (sizeof(size_t) == 8 && sizeof(int) == 4) {
        CHECK(sizeof(struct nn_cmsghdr) == 16);
        CHECK(NN_CMSG_SPACE(0) == 16);
        CHECK(NN_CMSG_SPACE(1) == 24);
        CHECK(NN_CMSG_SPACE(8) == 24);
        CHECK(NN_CMSG_LEN(1) == 17);
        CHECK(NN_CMSG_LEN(0) == 16);
    }
}

/* Writes one property at `at` and returns the space it took. */
static size_t put_cmsg(unsigned char *at, int level, int type,
                       const void *data, size_t len)
{
    struct nn_cmsghdr h;

    h.cmsg_len = NN_CMSG_LEN(len);
    h.cmsg_level = level;
    h.cmsg_type = type;
    memcpy(at, &h, sizeof h);
    memcpy(at + NN_CMSG_ALIGN_(sizeof h), data, len);
    return NN_CMSG_SPACE(len);
}

static void walk_two(struct nn_msghdr *hdr, const unsigned char *base)
{
    struct nn_cmsghdr *c;
    size_t n;

    c = NN_CMSG_FIRSTHDR(hdr);
    CHECK(c != NULL && (const unsigned char *) c == base);
    if (c == NULL)
        return;
    CHECK(c->cmsg_level == PROTO_SP && c->cmsg_type == SP_HDR);
    CHECK(c->cmsg_len == NN_CMSG_LEN(sizeof(size_t) + 4));
    memcpy(&n, NN_CMSG_DATA(c), sizeof n);
    CHECK(n == 4);
    CHECK(memcmp(NN_CMSG_DATA(c) + sizeof n, "\x80\0\0\x01", 4) == 0);

    c = NN_CMSG_NXTHDR(hdr, c);
    CHECK(c != NULL &&
          (const unsigned char *) c ==
              base + NN_CMSG_SPACE(sizeof(size_t) + 4));
    if (c == NULL)
        return;
    CHECK(c->cmsg_level == NN_WS && c->cmsg_type == NN_WS_MSG_TYPE);
    CHECK(*NN_CMSG_DATA(c) == NN_WS_MSG_TYPE_TEXT);

    CHECK(NN_CMSG_NXTHDR(hdr, c) == NULL);
}

static void test_cmsg_walk(void)
{
    /* size_t elements keep the buffer aligned for struct nn_cmsghdr. */
    size_t storage[16];
    unsigned char *buf = (unsigned char *) storage;
    unsigned char sp[sizeof(size_t) + 4];
    size_t hlen = 4;
    unsigned char op = NN_WS_MSG_TYPE_TEXT;
    size_t used = 0;
    struct nn_msghdr hdr;
    void *chunk;

    memcpy(sp, &hlen, sizeof hlen);
    memcpy(sp + sizeof hlen, "\x80\0\0\x01", 4);
    memset(storage, 0, sizeof storage);
    used += put_cmsg(buf + used, PROTO_SP, SP_HDR, sp, sizeof sp);
    used += put_cmsg(buf + used, NN_WS, NN_WS_MSG_TYPE, &op, 1);

    memset(&hdr, 0, sizeof hdr);
    hdr.msg_control = buf;
    hdr.msg_controllen = used;
    walk_two(&hdr, buf);

    /* Spare room after the last property holds no further header. */
    hdr.msg_controllen = sizeof storage;
    {
        struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&hdr);
        c = c ? NN_CMSG_NXTHDR(&hdr, c) : NULL;
        /* The zeroed tail reads as cmsg_len 0, which must end the walk. */
        c = c ? NN_CMSG_NXTHDR(&hdr, c) : NULL;
        if (c != NULL)
            CHECK(NN_CMSG_NXTHDR(&hdr, c) == NULL);
    }

    /* Truncated buffers. */
    hdr.msg_controllen = used - 1;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) != NULL);
    CHECK(NN_CMSG_NXTHDR(&hdr, NN_CMSG_FIRSTHDR(&hdr)) == NULL);
    hdr.msg_controllen = NN_CMSG_SPACE(0) - 1;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);
    hdr.msg_controllen = 0;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);
    hdr.msg_control = NULL;
    hdr.msg_controllen = used;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);
    CHECK(nn_cmsg_nxthdr_(NULL, NULL) == NULL);

    /* The same properties in a library chunk, passed by NN_MSG. */
    chunk = nn_allocmsg(used, 0);
    CHECK(chunk != NULL);
    if (chunk != NULL) {
        memcpy(chunk, buf, used);
        hdr.msg_control = &chunk;
        hdr.msg_controllen = NN_MSG;
        walk_two(&hdr, chunk);
        CHECK(nn_freemsg(chunk) == 0);
    }
}

int main(void)
{
    test_symbol();
    test_symbol_info();
    test_errors();
    test_msg();
    test_cmsg_macros();
    test_cmsg_walk();
    if (failures != 0) {
        fprintf(stderr, "test_symbols: %d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
