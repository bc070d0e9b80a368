/* test_tcpaddr.c - tcp/ws address parsing: ports, DNS names, literals,
   interfaces, the bind and connect forms (libnanomsg 1.1.5 errno values)
   and our bind-by-host-name extension (linked with the static library).
   Exit status 0 means every check passed. */
#include "transports/tcpaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static int port_of(const char *s)
{
    uint16_t p = 0;
    int rc = nn_tcpaddr_port(s, strlen(s), &p);
    return rc < 0 ? rc : p;
}

static void test_port(void)
{
    CHECK(port_of("1") == 1);
    CHECK(port_of("5555") == 5555);
    CHECK(port_of("65535") == 65535);
    CHECK(port_of("046102") == 46102);
    CHECK(port_of("0000000000000080") == 80);
    CHECK(port_of("") == -EINVAL);
    CHECK(port_of("0") == -EINVAL);
    CHECK(port_of("00") == -EINVAL);
    CHECK(port_of("65536") == -EINVAL);
    CHECK(port_of("99999999999999999999") == -EINVAL);
    CHECK(port_of("+1") == -EINVAL);
    CHECK(port_of("-1") == -EINVAL);
    CHECK(port_of(" 1") == -EINVAL);
    CHECK(port_of("1a") == -EINVAL);
    CHECK(port_of("0x10") == -EINVAL);
}

static int dns(const char *s)
{
    return nn_tcpaddr_dns_ok(s, strlen(s));
}

static void test_dns(void)
{
    char longlabel[70];
    char longname[300];

    CHECK(dns("localhost") == 0);
    CHECK(dns("host.example.com") == 0);
    CHECK(dns("host.example.com.") == 0);
    CHECK(dns("a-b.c-d") == 0);
    CHECK(dns("127.0.0.1") == 0);
    CHECK(dns("A1") == 0);
    CHECK(dns("") == -EINVAL);
    CHECK(dns(".") == -EINVAL);
    CHECK(dns("bad_host") == -EINVAL);
    CHECK(dns("-bad") == -EINVAL);
    CHECK(dns("a..b") == -EINVAL);
    CHECK(dns(".a") == -EINVAL);
    CHECK(dns("a.b..") == -EINVAL);
    CHECK(dns("*") == -EINVAL);
    CHECK(dns("[::1]") == -EINVAL);
    CHECK(dns("h st") == -EINVAL);

    memset(longlabel, 'a', 63);
    longlabel[63] = 0;
    CHECK(dns(longlabel) == 0);
    longlabel[63] = 'a';
    longlabel[64] = 0;
    CHECK(dns(longlabel) == -EINVAL);

    /* 255 characters OK, 256 not. */
    for (int i = 0; i < 256; i++)
        longname[i] = (i % 10 == 9) ? '.' : 'x';
    longname[255] = 0;
    CHECK(longname[254] != '.');
    CHECK(dns(longname) == 0);
    longname[255] = 'x';
    longname[256] = 0;
    CHECK(dns(longname) == -EINVAL);
    /* Embedded NUL within the given length. */
    CHECK(nn_tcpaddr_dns_ok("ab\0c", 4) == -EINVAL);
}

static int lit(const char *s, int ipv4only, int *family)
{
    struct nn_tcpaddr a;
    int rc = nn_tcpaddr_literal(s, strlen(s), ipv4only, &a);
    if (rc == 0)
        *family = a.ss.ss_family;
    return rc;
}

static void test_literal(void)
{
    int fam = 0;

    CHECK(lit("127.0.0.1", 1, &fam) == 0 && fam == AF_INET);
    CHECK(lit("[127.0.0.1]", 1, &fam) == 0 && fam == AF_INET);
    CHECK(lit("127.0.0.1", 0, &fam) == 0 && fam == AF_INET);
    CHECK(lit("::1", 1, &fam) == -EINVAL);
    CHECK(lit("[::1]", 1, &fam) == -EINVAL);
    CHECK(lit("::1", 0, &fam) == 0 && fam == AF_INET6);
    CHECK(lit("[::1]", 0, &fam) == 0 && fam == AF_INET6);
    CHECK(lit("[::ffff:1.2.3.4]", 0, &fam) == 0 && fam == AF_INET6);
    CHECK(lit("[127.0.0.1", 1, &fam) == -EINVAL);
    CHECK(lit("[", 1, &fam) == -EINVAL);
    CHECK(lit("[]", 0, &fam) == -EINVAL);
    CHECK(lit("", 0, &fam) == -EINVAL);
    CHECK(lit("127.1", 1, &fam) == -EINVAL);
    CHECK(lit("localhost", 0, &fam) == -EINVAL);
    CHECK(lit("1.2.3.4.5", 1, &fam) == -EINVAL);
    CHECK(lit("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255xxxxxxxx", 0,
              &fam) == -EINVAL);
}

static void test_iface(void)
{
    struct nn_tcpaddr a;

    CHECK(nn_tcpaddr_iface("*", 1, 1, &a) == 0 && a.ss.ss_family == AF_INET);
    CHECK(((struct sockaddr_in *) &a.ss)->sin_addr.s_addr == 0);
    CHECK(nn_tcpaddr_iface("*", 1, 0, &a) == 0 && a.ss.ss_family == AF_INET6);
    CHECK(nn_tcpaddr_iface("[*]", 3, 1, &a) == -ENODEV);
    CHECK(nn_tcpaddr_iface("", 0, 1, &a) == -ENODEV);
    CHECK(nn_tcpaddr_iface("no_such_if0", 11, 1, &a) == -ENODEV);
    /* Interface names (libnanomsg 1.1.5 refuses them; we take them). */
    CHECK(nn_tcpaddr_iface("lo", 2, 1, &a) == 0 && a.ss.ss_family == AF_INET);
    CHECK(((struct sockaddr_in *) &a.ss)->sin_addr.s_addr == htonl(0x7f000001));
    CHECK(nn_tcpaddr_iface("::1", 3, 1, &a) == -ENODEV);
    CHECK(nn_tcpaddr_iface("::1", 3, 0, &a) == 0);
}

static int bind_n(const char *s, int ipv4only, struct nn_tcpaddr *out)
{
    return nn_tcpaddr_parse_bind(s, ipv4only, out);
}

static uint16_t port_in(const struct nn_tcpaddr *a)
{
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *) &a->ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *) &a->ss)->sin_port);
}

static void test_bind(void)
{
    struct nn_tcpaddr a[NN_TCPADDR_MAX];
    int n;

    CHECK(bind_n("*:5555", 1, a) == 1 && port_in(&a[0]) == 5555);
    CHECK(a[0].ss.ss_family == AF_INET);
    CHECK(bind_n("*:5555", 0, a) == 1 && a[0].ss.ss_family == AF_INET6);
    CHECK(port_in(&a[0]) == 5555);
    CHECK(bind_n("127.0.0.1:046102", 1, a) == 1 && port_in(&a[0]) == 46102);
    CHECK(bind_n("[127.0.0.1]:1", 1, a) == 1);
    CHECK(bind_n("[::1]:5555", 1, a) == -ENODEV);
    CHECK(bind_n("::1:5555", 1, a) == -ENODEV);
    CHECK(bind_n("[::1]:5555", 0, a) == 1 && a[0].ss.ss_family == AF_INET6);
    CHECK(bind_n("::1:5555", 0, a) == 1 && port_in(&a[0]) == 5555);
    /* Port errors come first. */
    CHECK(bind_n("127.0.0.1", 1, a) == -EINVAL);
    CHECK(bind_n("127.0.0.1:", 1, a) == -EINVAL);
    CHECK(bind_n("127.0.0.1:0", 1, a) == -EINVAL);
    CHECK(bind_n("127.0.0.1:65536", 1, a) == -EINVAL);
    CHECK(bind_n("eth0:x", 1, a) == -EINVAL);
    CHECK(bind_n("", 1, a) == -EINVAL);
    /* Interfaces. */
    CHECK(bind_n(":5555", 1, a) == -ENODEV);
    CHECK(bind_n("[*]:5555", 1, a) == -ENODEV);
    CHECK(bind_n("bad_name:5555", 1, a) == -ENODEV);
    CHECK(bind_n("no-such-host.invalid:5555", 1, a) == -ENODEV);
    /* Our extension: host names. */
    n = bind_n("localhost:5555", 1, a);
    CHECK(n >= 1);
    for (int i = 0; i < n; i++) {
        CHECK(a[i].ss.ss_family == AF_INET);
        CHECK(port_in(&a[i]) == 5555);
    }
    n = bind_n("localhost:5556", 0, a);
    CHECK(n >= 1 && n <= NN_TCPADDR_MAX);
    for (int i = 0; i < n; i++)
        CHECK(port_in(&a[i]) == 5556);
}

static int conn(const char *s, int ipv4only, struct nn_tcpaddr_dial *d)
{
    return nn_tcpaddr_parse_connect(s, ipv4only, d);
}

static void test_connect(void)
{
    struct nn_tcpaddr_dial d;

    CHECK(conn("127.0.0.1:5555", 1, &d) == 0);
    CHECK(strcmp(d.host, "127.0.0.1") == 0 && d.port == 5555 && !d.has_local);
    CHECK(conn("localhost:1", 1, &d) == 0 && strcmp(d.host, "localhost") == 0);
    CHECK(conn("host.example.com.:80", 1, &d) == 0);
    CHECK(conn("no-such-host.invalid:80", 1, &d) == 0);
    CHECK(conn("[127.0.0.1]:80", 1, &d) == 0);
    CHECK(conn("[::1]:80", 1, &d) == -EINVAL);
    CHECK(conn("[::1]:80", 0, &d) == 0 && strcmp(d.host, "[::1]") == 0);
    CHECK(conn("bad_host:80", 1, &d) == -EINVAL);
    CHECK(conn("-bad:80", 1, &d) == -EINVAL);
    CHECK(conn("a..b:80", 1, &d) == -EINVAL);
    CHECK(conn("*:80", 1, &d) == -EINVAL);
    CHECK(conn(":80", 1, &d) == -EINVAL);
    CHECK(conn("localhost", 1, &d) == -EINVAL);
    CHECK(conn("localhost:0", 1, &d) == -EINVAL);
    CHECK(conn("localhost:+1", 1, &d) == -EINVAL);
    /* Local interface. */
    CHECK(conn("127.0.0.1;127.0.0.1:5555", 1, &d) == 0 && d.has_local);
    CHECK(d.local.ss.ss_family == AF_INET);
    CHECK(strcmp(d.host, "127.0.0.1") == 0);
    CHECK(conn("*;localhost:5555", 1, &d) == 0 && !d.has_local);
    CHECK(conn("no_such_if0;127.0.0.1:5555", 1, &d) == -ENODEV);
    CHECK(conn("lo;127.0.0.1:5555", 1, &d) == 0 && d.has_local);
    CHECK(conn(";127.0.0.1:5555", 1, &d) == -ENODEV);
    /* Host errors before interface errors, port errors first. */
    CHECK(conn("no_such_if0;bad_host:5555", 1, &d) == -EINVAL);
    CHECK(conn("no_such_if0;127.0.0.1:0", 1, &d) == -EINVAL);
    /* The last colon comes before the semicolon: no port for the host. */
    CHECK(conn("127.0.0.1:5;host", 1, &d) == -EINVAL);
}

static void test_resolve(void)
{
    struct nn_tcpaddr r;
    struct nn_tcpaddr l;
    struct nn_tcpaddr_dial d;

    CHECK(nn_tcpaddr_resolve("127.0.0.1", 9, 1, 80, &r) == 0);
    CHECK(r.ss.ss_family == AF_INET && port_in(&r) == 80);
    CHECK(nn_tcpaddr_resolve("[::1]", 5, 0, 81, &r) == 0);
    CHECK(r.ss.ss_family == AF_INET6 && port_in(&r) == 81);
    CHECK(nn_tcpaddr_resolve("localhost", 9, 1, 82, &r) == 0);
    CHECK(r.ss.ss_family == AF_INET && port_in(&r) == 82);
    CHECK(nn_tcpaddr_resolve("localhost", 9, 0, 83, &r) == 0);
    CHECK(r.ss.ss_family == AF_INET6 && port_in(&r) == 83);
    CHECK(nn_tcpaddr_resolve("no-such-host.invalid", 20, 1, 80, &r) < 0);

    /* Local address in the remote's family. */
    CHECK(conn("127.0.0.1:80", 1, &d) == 0);
    CHECK(nn_tcpaddr_resolve(d.host, strlen(d.host), 1, d.port, &r) == 0);
    CHECK(nn_tcpaddr_local_for(&d, &r, &l) == 0 && l.ss.ss_family == AF_INET);
    CHECK(conn("127.0.0.1;[::1]:80", 0, &d) == 0 && d.has_local);
    CHECK(nn_tcpaddr_resolve(d.host, strlen(d.host), 0, d.port, &r) == 0);
    CHECK(nn_tcpaddr_local_for(&d, &r, &l) == 0);
    CHECK(l.ss.ss_family == AF_INET6);
    CHECK(((struct sockaddr_in6 *) &l.ss)->sin6_addr.s6_addr[10] == 0xff);
    CHECK(conn("::1;127.0.0.1:80", 0, &d) == 0);
    CHECK(nn_tcpaddr_resolve(d.host, strlen(d.host), 0, d.port, &r) == 0);
    CHECK(nn_tcpaddr_local_for(&d, &r, &l) == -EAFNOSUPPORT);
    CHECK(conn("*;127.0.0.1:80", 0, &d) == 0);
    CHECK(nn_tcpaddr_resolve(d.host, strlen(d.host), 0, d.port, &r) == 0);
    CHECK(nn_tcpaddr_local_for(&d, &r, &l) == 0 && l.ss.ss_family == AF_INET);
}

int main(void)
{
    test_port();
    test_dns();
    test_literal();
    test_iface();
    test_bind();
    test_connect();
    test_resolve();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
