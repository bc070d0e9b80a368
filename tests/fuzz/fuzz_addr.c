/* libFuzzer target: address parsing. The tcp/ws helpers of tcpaddr.c
   (port, DNS name, literal, interface name, the bind and connect forms),
   and the whole path of nn_bind/nn_connect for every scheme, which adds
   the scheme split, the length limit and the ipc, inproc and ws parsers.

   Input: a mode byte, then the address bytes. Oracles: the port and DNS
   name rules (restated here from tcpaddr.h) agree with the parser; a
   parsed connect host is the text between `;` and the last `:`; results
   are errno values the API documents. sandbox.c keeps every bind and
   connect to loopback and to this run's directory. */
#include <errno.h>
#include <netinet/in.h>

#include "nanomsg/nn.h"
#include "nanomsg/pair.h"
#include "transports/tcpaddr.h"

#include "fuzz.h"
#include "sandbox.h"

static int port_rule(const char *s, size_t n)
{
    unsigned long v = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned long) (s[i] - '0');
        if (v > 65535)
            return 0;
    }
    return v >= 1;
}

static int dns_rule(const char *s, size_t n)
{
    size_t label = 0;
    if (n == 0 || n > 255 || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
                   (c >= '0' && c <= '9') || c == '-') {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

static int family_ok(const struct nn_tcpaddr *a, int ipv4only)
{
    int fam = a->ss.ss_family;
    return (fam == AF_INET && a->len == sizeof(struct sockaddr_in)) ||
           (!ipv4only && fam == AF_INET6 &&
            a->len == sizeof(struct sockaddr_in6));
}

static void pure(int mode, int v4, const char *s, size_t n)
{
    struct nn_tcpaddr a, many[NN_TCPADDR_MAX];
    struct nn_tcpaddr_dial d;
    uint16_t port = 0;
    int rc;

    switch (mode) {
    case 0:
        rc = nn_tcpaddr_port(s, n, &port);
        FUZZ_ASSERT((rc == 0) == port_rule(s, n));
        break;
    case 1:
        FUZZ_ASSERT((nn_tcpaddr_dns_ok(s, n) == 0) == dns_rule(s, n));
        break;
    case 2:
        if (nn_tcpaddr_literal(s, n, v4, &a) == 0)
            FUZZ_ASSERT(family_ok(&a, v4));
        break;
    case 3:
        rc = nn_tcpaddr_host_ok(s, n, v4);
        FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
        if (dns_rule(s, n))
            FUZZ_ASSERT(rc == 0);
        break;
    case 4:
        rc = nn_tcpaddr_iface(s, n, v4, &a);
        FUZZ_ASSERT(rc == 0 || rc == -ENODEV);
        if (rc == 0)
            FUZZ_ASSERT(family_ok(&a, v4));
        break;
    case 5:
        rc = nn_tcpaddr_parse_bind(s, v4, many);
        FUZZ_ASSERT(rc == -EINVAL || rc == -ENODEV ||
                    (rc >= 1 && rc <= NN_TCPADDR_MAX));
        for (int i = 0; i < rc; i++)
            FUZZ_ASSERT(family_ok(&many[i], v4));
        break;
    default:
        rc = nn_tcpaddr_parse_connect(s, v4, &d);
        FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENODEV);
        if (rc == 0) {
            const char *semi = strchr(s, ';');
            const char *host = semi ? semi + 1 : s;
            const char *colon = strrchr(s, ':');
            FUZZ_ASSERT(colon != NULL && colon >= host);
            FUZZ_ASSERT(strlen(d.host) == (size_t) (colon - host) &&
                        memcmp(d.host, host, strlen(d.host)) == 0);
            FUZZ_ASSERT(port_rule(colon + 1, strlen(colon + 1)));
        }
        break;
    }
}

/* bind or connect `scheme://text` on a fresh socket, then tear down. */
static void api(int mode, int dual, const char *text)
{
    static const char *const schemes[] = {"tcp://", "ws://", "inproc://",
                                          "ipc://", ""};
    char addr[2 * NN_SOCKADDR_MAX];
    int s, eid, err;

    if (mode == 3)   /* ipc paths only inside the sandbox */
        snprintf(addr, sizeof(addr), "ipc://%s/%s", fuzz_sandbox_dir(), text);
    else
        snprintf(addr, sizeof(addr), "%s%s", schemes[mode % 5], text);
    s = nn_socket(AF_SP, NN_PAIR);
    FUZZ_ASSERT(s >= 0);
    if (dual && nn_setsockopt(s, NN_SOL_SOCKET, NN_IPV4ONLY, &(int){0},
                            sizeof(int)) != 0)
        abort();
    eid = (mode & 8) ? nn_connect(s, addr) : nn_bind(s, addr);
    err = nn_errno();
    if (eid < 0)
        FUZZ_ASSERT(err == EINVAL || err == ENODEV || err == ENAMETOOLONG ||
                    err == EPROTONOSUPPORT || err == EADDRINUSE ||
                    err == EADDRNOTAVAIL || err == EACCES || err == ENOENT ||
                    err == EAFNOSUPPORT || err == ENOTDIR || err == EISDIR ||
                    err == ELOOP);
    else
        FUZZ_ASSERT(nn_shutdown(s, eid) == 0);
    FUZZ_ASSERT(nn_close(s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = {data, size};
    uint8_t knobs = fz_u8(&f);
    int v4 = (knobs >> 7) & 1;
    const uint8_t *p;
    size_t n;
    char *s;

    if (knobs & 0x40) {
        s = fz_cstr(&f, NN_SOCKADDR_MAX + 16);
        api(knobs & 0x0f, v4, s);
    } else if ((knobs & 7) >= 5) {
        s = fz_cstr(&f, NN_SOCKADDR_MAX + 16);   /* C string forms */
        pure(knobs & 7, v4, s, strlen(s));
    } else {
        p = fz_take(&f, 512, &n);
        s = fz_dup(p, n);
        pure(knobs & 7, v4, s, n);
    }
    free(s);
    return 0;
}
