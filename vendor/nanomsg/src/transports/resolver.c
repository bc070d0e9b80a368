/* Name lookups off the loop thread (see resolver.h). A lookup belongs to
   its thread until the thread hands it to the loop thread (nn_io_call),
   which runs the callback if the owner still wants it and frees it. The
   owner only ever touches it on the loop thread, so no lock is needed. */
#include "resolver.h"
#include "../io/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct nn_lookup {
    char host[NN_SOCKADDR_MAX];
    uint16_t port;
    int ipv4only;
    int rc;
    struct nn_tcpaddr addr;
    nn_lookup_fn fn;
    void *owner;                /* NULL once cancelled */
    struct nn_lookup **slot;
};

/* Loop thread. */
static void nn_lookup_done(void *arg)
{
    struct nn_lookup *l = arg;

    if (l->owner != NULL) {
        *l->slot = NULL;
        l->fn(l->owner, l->rc, &l->addr);
    }
    free(l);
}

static void *nn_lookup_main(void *arg)
{
    struct nn_lookup *l = arg;

    l->rc = nn_tcpaddr_resolve(l->host, strlen(l->host), l->ipv4only,
                               l->port, &l->addr);
    nn_io_call(nn_lookup_done, l);
    return NULL;
}

int nn_lookup_start(struct nn_lookup **slot, const char *host, int ipv4only,
                    uint16_t port, nn_lookup_fn fn, void *owner,
                    struct nn_tcpaddr *out)
{
    struct nn_lookup *l;
    pthread_attr_t attr;
    pthread_t t;
    size_t len = strlen(host);
    int rc;

    if (nn_tcpaddr_literal(host, len, ipv4only, out) == 0) {
        nn_tcpaddr_set_port(out, port);
        return 1;
    }
    if (len >= sizeof(l->host) || nn_tcpaddr_dns_ok(host, len) < 0)
        return -EINVAL;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return -ENOMEM;
    memcpy(l->host, host, len + 1);
    l->port = port;
    l->ipv4only = ipv4only;
    l->fn = fn;
    l->owner = owner;
    l->slot = slot;
    rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        /* getaddrinfo needs little stack. */
        pthread_attr_setstacksize(&attr, 256 * 1024);
        rc = pthread_create(&t, &attr, nn_lookup_main, l);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        free(l);
        return -rc;
    }
    *slot = l;
    return 0;
}

void nn_lookup_cancel(struct nn_lookup **slot)
{
    if (*slot != NULL) {
        (*slot)->owner = NULL;
        *slot = NULL;
    }
}
