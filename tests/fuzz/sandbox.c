/* Linked into every fuzz target: the library's calls of connect, bind,
   unlink and getaddrinfo land here instead of in libc, so that a fuzzed
   address can reach nothing but loopback and this run's own directory.

   - connect: IPv4 127/8, IPv6 ::1 and ::ffff:127/104 only, and only to a
     port this process bound; Unix-domain paths only inside
     fuzz_sandbox_dir(). Anything else fails with ENETUNREACH,
     ECONNREFUSED or EACCES as if the network said no. Other programs
     on the machine (tests of other people, running now) never see us.
   - bind: Unix-domain paths only inside the sandbox dir. IP binds get
     port 0 whatever the address asked for, so that we never take a port
     another program has just probed; the port the OS chose is recorded
     for connect (when a port was asked for: a listener).
   - unlink: only inside the sandbox dir. The ipc transport removes a stale
     file at the path it binds, and CI runs as root.
   - getaddrinfo: numeric hosts and "localhost" only; other names fail
     at once instead of querying DNS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandbox.h"

#include <pthread.h>

/* Ports bound through bind() below, most recent first (a ring). */
#define NPORTS 256
static uint16_t ports[NPORTS];
static unsigned nports;
static pthread_mutex_t ports_mtx = PTHREAD_MUTEX_INITIALIZER;

static char sandbox[64];

static void sandbox_cleanup(void)
{
    char cmd[128];
    /* Only our own mkdtemp directory, whose name has no shell characters. */
    if (sandbox[0] != 0 && strncmp(sandbox, "/tmp/nnfuzz.", 12) == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
        if (system(cmd) != 0)
            return;
    }
}

const char *fuzz_sandbox_dir(void)
{
    if (sandbox[0] == 0) {
        strcpy(sandbox, "/tmp/nnfuzz.XXXXXX");
        if (mkdtemp(sandbox) == NULL)
            abort();
        atexit(sandbox_cleanup);
    }
    return sandbox;
}

static int path_ok(const char *p, size_t max)
{
    const char *d = fuzz_sandbox_dir();
    size_t n = strlen(d);

    return strnlen(p, max) < max && strncmp(p, d, n) == 0 && p[n] == '/' &&
           strstr(p + n, "/..") == NULL;
}

static int unix_ok(const struct sockaddr *sa, socklen_t len)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *) sa;
    size_t max;

    if (len <= offsetof(struct sockaddr_un, sun_path))
        return 1;   /* autobind: no path */
    max = len - offsetof(struct sockaddr_un, sun_path);
    if (max > sizeof(un->sun_path))
        max = sizeof(un->sun_path);
    return path_ok(un->sun_path, max);
}

static int loopback(const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        uint32_t a = ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr);
        return (a >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

static uint16_t port_of(const struct sockaddr *sa)
{
    return ntohs(sa->sa_family == AF_INET
                     ? ((const struct sockaddr_in *) sa)->sin_port
                     : ((const struct sockaddr_in6 *) sa)->sin6_port);
}

static int port_ours(uint16_t port)
{
    int ok = 0;
    pthread_mutex_lock(&ports_mtx);
    for (unsigned i = 0; i < NPORTS && i < nports; i++)
        ok |= port != 0 && ports[i] == port;
    pthread_mutex_unlock(&ports_mtx);
    return ok;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    if (sa == NULL || len < sizeof(sa_family_t))
        return (int) syscall(SYS_connect, fd, sa, len);
    if (sa->sa_family == AF_UNIX ? !unix_ok(sa, len)
                                 : (sa->sa_family != AF_UNSPEC && !loopback(sa, len))) {
        errno = sa->sa_family == AF_UNIX ? EACCES : ENETUNREACH;
        return -1;
    }
    if ((sa->sa_family == AF_INET || sa->sa_family == AF_INET6) &&
        !port_ours(port_of(sa))) {
        errno = ECONNREFUSED;
        return -1;
    }
    return (int) syscall(SYS_connect, fd, sa, len);
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    uint16_t asked;
    int rc;

    if (sa == NULL || len < sizeof(sa_family_t) ||
        (sa->sa_family != AF_UNIX && sa->sa_family != AF_INET &&
         sa->sa_family != AF_INET6) || len > sizeof(ss))
        return (int) syscall(SYS_bind, fd, sa, len);
    if (sa->sa_family == AF_UNIX) {
        if (!unix_ok(sa, len)) {
            errno = EACCES;
            return -1;
        }
        return (int) syscall(SYS_bind, fd, sa, len);
    }
    memcpy(&ss, sa, len);
    asked = port_of((struct sockaddr *) &ss);
    if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
        ((struct sockaddr_in *) &ss)->sin_port = 0;
    else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
        ((struct sockaddr_in6 *) &ss)->sin6_port = 0;
    rc = (int) syscall(SYS_bind, fd, &ss, len);
    /* A bind to port 0 is the local end of a connection about to be
       dialed, not a listener: not recorded, or the ring would soon hold
       nothing else. */
    if (rc == 0 && asked != 0 &&
        getsockname(fd, (struct sockaddr *) &ss, &sl) == 0) {
        pthread_mutex_lock(&ports_mtx);
        ports[nports++ % NPORTS] = port_of((struct sockaddr *) &ss);
        pthread_mutex_unlock(&ports_mtx);
    }
    return rc;
}

unsigned fuzz_sandbox_port(void)
{
    unsigned p;
    pthread_mutex_lock(&ports_mtx);
    p = nports ? ports[(nports - 1) % NPORTS] : 0;
    pthread_mutex_unlock(&ports_mtx);
    return p;
}

int unlink(const char *path)
{
    if (!path_ok(path, 4096)) {
        errno = EACCES;
        return -1;
    }
    return (int) syscall(SYS_unlinkat, AT_FDCWD, path, 0);
}

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
                      struct addrinfo **);

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
    static gai_fn real;
    struct addrinfo h;
    unsigned char buf[sizeof(struct in6_addr)];

    if (real == NULL)
        real = (gai_fn) dlsym(RTLD_NEXT, "getaddrinfo");
    if (real == NULL)
        return EAI_FAIL;
    if (node == NULL || strcmp(node, "localhost") == 0)
        return real(node, service, hints, res);
    if (inet_pton(AF_INET, node, buf) != 1 &&
        inet_pton(AF_INET6, node, buf) != 1)
        return EAI_NONAME;
    if (hints != NULL)
        h = *hints;
    else
        memset(&h, 0, sizeof(h));
    h.ai_flags |= AI_NUMERICHOST;
    return real(node, service, &h, res);
}
