/* Address parsing for the TCP-based transports (tcp, ws): ports, DNS-name
   syntax, literal addresses, interfaces, and the two address forms
   `iface:port` (bind) and `[iface;]host:port` (connect). Errors follow
   libnanomsg 1.1.5: bad port or host -EINVAL, bad interface -ENODEV.

   Our deliberate differences: an interface may be named (`lo`, `eth0`:
   its address), and a bind interface may also be a host name
   (`localhost`), bound on every address it resolves to; libnanomsg 1.1.5
   gives ENODEV for both. */
#ifndef NN_TRANSPORTS_TCPADDR_H
#define NN_TRANSPORTS_TCPADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../../include/nanomsg/nn.h"

/* Most addresses a bind host name is bound on. */
#define NN_TCPADDR_MAX 4

struct nn_tcpaddr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* Decimal port, digits only, 1..65535 (leading zeros allowed). -EINVAL. */
int nn_tcpaddr_port(const char *s, size_t len, uint16_t *port);
/* Syntactically valid DNS name: 1-255 characters of [A-Za-z0-9.-], not
   starting with '-', labels of 1-63 characters, one trailing '.' allowed.
   0 or -EINVAL. */
int nn_tcpaddr_dns_ok(const char *s, size_t len);
/* IPv4 literal, or IPv6 literal when !ipv4only, either optionally in
   brackets; port 0. 0 or -EINVAL. */
int nn_tcpaddr_literal(const char *s, size_t len, int ipv4only,
                       struct nn_tcpaddr *out);
/* A connect host: a valid DNS name or a literal. 0 or -EINVAL. */
int nn_tcpaddr_host_ok(const char *s, size_t len, int ipv4only);
/* An interface: `*` (0.0.0.0, or :: when !ipv4only), a literal, or an
   interface name; port 0. 0 or -ENODEV. */
int nn_tcpaddr_iface(const char *s, size_t len, int ipv4only,
                     struct nn_tcpaddr *out);

void nn_tcpaddr_set_port(struct nn_tcpaddr *a, uint16_t port);

/* Bind address `iface:port` (the port after the last ':'): fills out[0..n)
   with the addresses to listen on, ports set. Returns n >= 1, -EINVAL
   (port), or -ENODEV (interface, unresolvable name). Host names are
   resolved here, synchronously. */
int nn_tcpaddr_parse_bind(const char *addr, int ipv4only,
                          struct nn_tcpaddr out[NN_TCPADDR_MAX]);

/* Connect address `[iface;]host:port`, checked for syntax only. */
struct nn_tcpaddr_dial {
    char host[NN_SOCKADDR_MAX];   /* as written, NUL-terminated */
    uint16_t port;
    int ipv4only;
    int has_local;
    struct nn_tcpaddr local;      /* when has_local; port 0 */
};
/* 0, -EINVAL (port, host) or -ENODEV (local interface). */
int nn_tcpaddr_parse_connect(const char *addr, int ipv4only,
                             struct nn_tcpaddr_dial *out);

/* Per connection attempt: the remote address (a literal, else the first
   getaddrinfo result: AF_INET when ipv4only, else AF_INET6 with
   AI_V4MAPPED), port set. 0 or -errno. May block on DNS. */
int nn_tcpaddr_resolve(const char *host, size_t len, int ipv4only,
                       uint16_t port, struct nn_tcpaddr *out);
/* The local address to bind before connecting to `remote`: the given local
   interface (or the wildcard) in the remote's address family. 0 or
   -EAFNOSUPPORT (an IPv6 interface for an IPv4 peer). */
int nn_tcpaddr_local_for(const struct nn_tcpaddr_dial *d,
                         const struct nn_tcpaddr *remote,
                         struct nn_tcpaddr *out);

#endif
