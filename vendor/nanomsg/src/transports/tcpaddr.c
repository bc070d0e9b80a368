/* TCP address parsing (see tcpaddr.h). */
#include "tcpaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

int nn_tcpaddr_port(const char *s, size_t len, uint16_t *port)
{
    uint32_t v = 0;
    size_t i;

    if (len == 0)
        return -EINVAL;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (uint32_t) (s[i] - '0');
        if (v > 65535)
            return -EINVAL;
    }
    if (v == 0)
        return -EINVAL;
    *port = (uint16_t) v;
    return 0;
}

static int nn_tcpaddr_dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-';
}

int nn_tcpaddr_dns_ok(const char *s, size_t len)
{
    size_t i;
    size_t label = 0;

    if (len == 0 || len > 255 || s[0] == '-')
        return -EINVAL;
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            /* An empty label is only allowed as the root after a final dot. */
            if (label == 0)
                return -EINVAL;
            label = 0;
            continue;
        }
        if (!nn_tcpaddr_dns_char(s[i]) || ++label > 63)
            return -EINVAL;
    }
    return 0;
}

int nn_tcpaddr_literal(const char *s, size_t len, int ipv4only,
                       struct nn_tcpaddr *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    struct sockaddr_in *sin = (struct sockaddr_in *) &out->ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &out->ss;

    if (len > 0 && s[0] == '[') {
        if (len < 2 || s[len - 1] != ']')
            return -EINVAL;
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(buf) || memchr(s, 0, len) != NULL)
        return -EINVAL;
    memcpy(buf, s, len);
    buf[len] = 0;
    memset(out, 0, sizeof(*out));
    if (!ipv4only && inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        out->len = sizeof(*sin6);
        return 0;
    }
    if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        out->len = sizeof(*sin);
        return 0;
    }
    return -EINVAL;
}

int nn_tcpaddr_host_ok(const char *s, size_t len, int ipv4only)
{
    struct nn_tcpaddr tmp;

    if (nn_tcpaddr_dns_ok(s, len) == 0)
        return 0;
    return nn_tcpaddr_literal(s, len, ipv4only, &tmp);
}

/* The address of network interface s[0..len) (`lo`, `eth0`): its IPv4
   address, else (when !ipv4only) its first IPv6 one. libnanomsg 1.1.5 no
   longer resolves interface names (ENODEV); we do, as its documentation
   and our issue ask. 0 or -ENODEV. */
/* The BSDs and macOS (KAME) report a link-local address from getifaddrs
   with its interface index inside bytes 2-3 of the address and a zero
   sin6_scope_id; bind wants it the other way round. Bytes 2-3 of a proper
   link-local address are zero, so elsewhere this changes nothing. */
static void nn_tcpaddr_unembed_scope(struct sockaddr_in6 *sa)
{
    uint8_t *b = sa->sin6_addr.s6_addr;

    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80 && sa->sin6_scope_id == 0 &&
        (b[2] | b[3]) != 0) {
        sa->sin6_scope_id = (uint32_t) b[2] << 8 | b[3];
        b[2] = b[3] = 0;
    }
}

static int nn_tcpaddr_ifname(const char *s, size_t len, int ipv4only,
                             struct nn_tcpaddr *out)
{
    struct ifaddrs *all;
    struct ifaddrs *ifa;
    int found = 0;

    if (len == 0 || len >= IF_NAMESIZE || getifaddrs(&all) != 0)
        return -ENODEV;
    for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || strlen(ifa->ifa_name) != len ||
            memcmp(ifa->ifa_name, s, len) != 0)
            continue;
        int fam = ifa->ifa_addr->sa_family;
        socklen_t sl = fam == AF_INET ? sizeof(struct sockaddr_in)
                                      : sizeof(struct sockaddr_in6);
        if (fam == AF_INET || (fam == AF_INET6 && !ipv4only && !found)) {
            memset(out, 0, sizeof(*out));
            memcpy(&out->ss, ifa->ifa_addr, sl);
            out->len = sl;
            found = 1;
            if (fam == AF_INET6)
                nn_tcpaddr_unembed_scope((struct sockaddr_in6 *) &out->ss);
            if (fam == AF_INET)
                break;
        }
    }
    freeifaddrs(all);
    return found ? 0 : -ENODEV;
}

int nn_tcpaddr_iface(const char *s, size_t len, int ipv4only,
                     struct nn_tcpaddr *out)
{
    struct sockaddr_in *sin = (struct sockaddr_in *) &out->ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &out->ss;

    if (len == 1 && s[0] == '*') {
        memset(out, 0, sizeof(*out));
        if (ipv4only) {
            sin->sin_family = AF_INET;
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
            out->len = sizeof(*sin);
        } else {
            sin6->sin6_family = AF_INET6;
            sin6->sin6_addr = in6addr_any;
            out->len = sizeof(*sin6);
        }
        return 0;
    }
    if (nn_tcpaddr_literal(s, len, ipv4only, out) == 0)
        return 0;
    return nn_tcpaddr_ifname(s, len, ipv4only, out);
}

void nn_tcpaddr_set_port(struct nn_tcpaddr *a, uint16_t port)
{
    if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *) &a->ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *) &a->ss)->sin_port = htons(port);
}

static int nn_tcpaddr_same(const struct nn_tcpaddr *a,
                           const struct nn_tcpaddr *b)
{
    return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

/* Every distinct address of host name s[0..len) (our bind extension). */
static int nn_tcpaddr_bind_name(const char *s, size_t len, int ipv4only,
                                struct nn_tcpaddr out[NN_TCPADDR_MAX])
{
    char name[256];
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    int n = 0;
    int i;

    if (nn_tcpaddr_dns_ok(s, len) < 0)
        return -ENODEV;
    memcpy(name, s, len);
    name[len] = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = ipv4only ? AF_INET : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return -ENODEV;
    for (ai = res; ai != NULL && n < NN_TCPADDR_MAX; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof(out[n].ss))
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        memcpy(&out[n].ss, ai->ai_addr, ai->ai_addrlen);
        out[n].len = ai->ai_addrlen;
        for (i = 0; i < n; i++)
            if (nn_tcpaddr_same(&out[i], &out[n]))
                break;
        if (i == n)
            n++;
    }
    freeaddrinfo(res);
    return n > 0 ? n : -ENODEV;
}

int nn_tcpaddr_parse_bind(const char *addr, int ipv4only,
                          struct nn_tcpaddr out[NN_TCPADDR_MAX])
{
    const char *colon = strrchr(addr, ':');
    uint16_t port;
    size_t ifacelen;
    int n;
    int i;

    if (colon == NULL)
        return -EINVAL;
    if (nn_tcpaddr_port(colon + 1, strlen(colon + 1), &port) < 0)
        return -EINVAL;
    ifacelen = (size_t) (colon - addr);
    if (nn_tcpaddr_iface(addr, ifacelen, ipv4only, &out[0]) == 0)
        n = 1;
    else
        n = nn_tcpaddr_bind_name(addr, ifacelen, ipv4only, out);
    for (i = 0; i < n; i++)
        nn_tcpaddr_set_port(&out[i], port);
    return n;
}

int nn_tcpaddr_parse_connect(const char *addr, int ipv4only,
                             struct nn_tcpaddr_dial *out)
{
    const char *semi = strchr(addr, ';');
    const char *host = semi != NULL ? semi + 1 : addr;
    const char *colon = strrchr(addr, ':');
    size_t hostlen;

    memset(out, 0, sizeof(*out));
    if (colon == NULL || colon < host)
        return -EINVAL;
    if (nn_tcpaddr_port(colon + 1, strlen(colon + 1), &out->port) < 0)
        return -EINVAL;
    hostlen = (size_t) (colon - host);
    if (hostlen >= sizeof(out->host) ||
        nn_tcpaddr_host_ok(host, hostlen, ipv4only) < 0)
        return -EINVAL;
    memcpy(out->host, host, hostlen);
    out->host[hostlen] = 0;
    out->ipv4only = ipv4only;
    if (semi != NULL) {
        if (nn_tcpaddr_iface(addr, (size_t) (semi - addr), ipv4only,
                             &out->local) < 0)
            return -ENODEV;
        /* `*` is the same as no interface: the wildcard of whatever
           family the peer resolves to. */
        out->has_local = !(semi - addr == 1 && addr[0] == '*');
    }
    return 0;
}

int nn_tcpaddr_resolve(const char *host, size_t len, int ipv4only,
                       uint16_t port, struct nn_tcpaddr *out)
{
    char name[256];
    struct addrinfo hints;
    struct addrinfo *res;
    int rc;

    if (nn_tcpaddr_literal(host, len, ipv4only, out) == 0) {
        nn_tcpaddr_set_port(out, port);
        return 0;
    }
    if (nn_tcpaddr_dns_ok(host, len) < 0)
        return -EINVAL;
    memcpy(name, host, len);
    name[len] = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (ipv4only) {
        hints.ai_family = AF_INET;
    } else {
        hints.ai_family = AF_INET6;
        hints.ai_flags = AI_V4MAPPED;
    }
    rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0)
        return rc == EAI_MEMORY ? -ENOMEM : -EADDRNOTAVAIL;
    if (res->ai_addrlen > sizeof(out->ss)) {
        freeaddrinfo(res);
        return -EADDRNOTAVAIL;
    }
    memset(out, 0, sizeof(*out));
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    nn_tcpaddr_set_port(out, port);
    return 0;
}

int nn_tcpaddr_local_for(const struct nn_tcpaddr_dial *d,
                         const struct nn_tcpaddr *remote,
                         struct nn_tcpaddr *out)
{
    int family = remote->ss.ss_family;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &out->ss;
    struct in_addr v4;

    if (!d->has_local)
        return nn_tcpaddr_iface("*", 1, family == AF_INET, out);
    *out = d->local;
    if (out->ss.ss_family == family)
        return 0;
    if (family == AF_INET6) {
        /* An IPv4 interface reaches an IPv6 (v4-mapped) peer as ::ffff:a.b.c.d. */
        v4 = ((const struct sockaddr_in *) &d->local.ss)->sin_addr;
        memset(out, 0, sizeof(*out));
        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr.s6_addr[10] = 0xff;
        sin6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&sin6->sin6_addr.s6_addr[12], &v4, 4);
        out->len = sizeof(*sin6);
        return 0;
    }
    return -EAFNOSUPPORT;
}
