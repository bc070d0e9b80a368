/* The library-wide state: the handle table, socket creation and closing,
   nn_term. One mutex guards the table and every socket's hold count; it is
   a leaf lock (nothing else is taken while it is held). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "../../include/nanomsg/nn.h"
#include "../io/loop.h"
#include "blkcache.h"
#include "sock.h"

static pthread_mutex_t glock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gcond = PTHREAD_COND_INITIALIZER;
static struct nn_sock **table;
static int table_cap;      /* slots allocated */
static int table_used;     /* slots ever handed out: 0 .. table_used-1 */
static int *freelist;      /* closed handles, reused most recent first */
static int nfree;
static int terminated;

void nn_sock_hold(struct nn_sock *s)
{
    pthread_mutex_lock(&glock);
    s->holds++;
    pthread_mutex_unlock(&glock);
}

void nn_sock_release(struct nn_sock *s)
{
    pthread_mutex_lock(&glock);
    if (--s->holds <= 1 && s->dying)
        pthread_cond_broadcast(&gcond);
    pthread_mutex_unlock(&glock);
}

struct nn_sock *nn_sock_acquire(int h)
{
    struct nn_sock *s = NULL;
    pthread_mutex_lock(&glock);
    if (h >= 0 && h < table_used && table[h] && !table[h]->dying) {
        s = table[h];
        s->holds++;
    }
    pthread_mutex_unlock(&glock);
    if (!s)
        errno = EBADF;
    return s;
}

/* Reserve a handle; -EMFILE / -ENOMEM. Under glock. */
static int handle_alloc(void)
{
    if (nfree > 0)
        return freelist[--nfree];
    if (table_used == table_cap) {
        int ncap = table_cap ? table_cap * 2 : 64;
        if (ncap > 1 << 24)
            return -EMFILE;
        struct nn_sock **t = realloc(table, (size_t) ncap * sizeof(*t));
        if (!t)
            return -ENOMEM;
        table = t;
        int *f = realloc(freelist, (size_t) ncap * sizeof(*f));
        if (!f)
            return -ENOMEM;
        freelist = f;
        table_cap = ncap;
    }
    table[table_used] = NULL;
    return table_used++;
}

int nn_global_socket(int domain, int protocol)
{
    int rc;
    struct nn_sock *s = NULL;

    pthread_mutex_lock(&glock);
    if (terminated) {
        pthread_mutex_unlock(&glock);
        return -ETERM;
    }
    if (domain != AF_SP && domain != AF_SP_RAW) {
        pthread_mutex_unlock(&glock);
        return -EAFNOSUPPORT;
    }
    int h = handle_alloc();
    pthread_mutex_unlock(&glock);
    if (h < 0)
        return h;

    rc = nn_io_start();
    if (rc == 0)
        rc = nn_sock_create(&s, domain, protocol, h);

    pthread_mutex_lock(&glock);
    if (rc == 0 && terminated) {
        /* nn_term ran while this socket was being made and did not see
           it: it must not outlive nn_term. */
        rc = -ETERM;
    }
    if (rc != 0) {
        freelist[nfree++] = h;
    } else {
        s->holds = 1;   /* the table's own */
        table[h] = s;
    }
    pthread_mutex_unlock(&glock);
    if (rc == -ETERM && s) {
        nn_sock_close(s);
        nn_sock_free(s);
    }
    return rc != 0 ? rc : h;
}

int nn_global_close(int h)
{
    struct nn_sock *s = NULL;
    pthread_mutex_lock(&glock);
    if (h >= 0 && h < table_used && table[h] && !table[h]->dying) {
        s = table[h];
        s->dying = 1;
    }
    pthread_mutex_unlock(&glock);
    if (!s)
        return -EBADF;

    nn_sock_close(s);

    /* Wait for calls still inside the socket and for pipes and timers to
       let go; only the table's hold remains then. */
    pthread_mutex_lock(&glock);
    while (s->holds > 1)
        pthread_cond_wait(&gcond, &glock);
    table[h] = NULL;
    freelist[nfree++] = h;
    pthread_mutex_unlock(&glock);

    nn_sock_free(s);
    return 0;
}

void nn_global_term(void)
{
    pthread_mutex_lock(&glock);
    /* Never used: nothing to terminate, and nn_socket keeps working. */
    if (terminated || table_used == 0) {
        pthread_mutex_unlock(&glock);
        return;
    }
    terminated = 1;
    int n = table_used;
    pthread_mutex_unlock(&glock);
    for (int h = 0; h < n; h++)
        nn_global_close(h);
    /* The sockets' memory goes back to the system too. */
    nn_blk_flush();
}
