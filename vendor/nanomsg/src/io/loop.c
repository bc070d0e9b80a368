/* The I/O worker: a backend for descriptors (backend.h), a sorted list
   for timers, a task queue for work posted from other threads. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "backend.h"

struct task {
    void (*fn)(void *arg);
    void *arg;
    struct task *next;
    int *done;          /* nn_io_call: set to 1 when run */
};

static struct {
    pthread_mutex_t mtx;
    pthread_cond_t donecv;
    pthread_once_t once;
    int started;
    pthread_t thread;
    struct nn_list timers;      /* sorted by `when` */
    /* When the sleeping loop will wake by itself (UINT64_MAX: never); a
       timer due later needs no wake-up, which spares REQ's per-request
       resend timer a thread switch. */
    uint64_t wake_at;
    struct task *tasks, **tasktail;
} L = {
    .mtx = PTHREAD_MUTEX_INITIALIZER,
    .donecv = PTHREAD_COND_INITIALIZER,
};

static _Thread_local int on_loop;

int nn_io_on_loop(void)
{
    return on_loop;
}

const char *nn_io_backend_name(void)
{
    return nn_iob_name();
}

uint64_t nn_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static void wake(void)
{
    nn_iob_wake();
}

static void run_tasks(void)
{
    for (;;) {
        pthread_mutex_lock(&L.mtx);
        struct task *t = L.tasks;
        if (t) {
            L.tasks = t->next;
            if (!L.tasks)
                L.tasktail = &L.tasks;
        }
        pthread_mutex_unlock(&L.mtx);
        if (!t)
            return;
        t->fn(t->arg);
        if (t->done) {
            pthread_mutex_lock(&L.mtx);
            *t->done = 1;
            pthread_cond_broadcast(&L.donecv);
            pthread_mutex_unlock(&L.mtx);
        } else {
            free(t);
        }
    }
}

/* Fire the timers that are due. */
static void run_timers(void)
{
    for (;;) {
        uint64_t now = nn_clock_ms();
        pthread_mutex_lock(&L.mtx);
        struct nn_io_timer *t = nn_list_empty(&L.timers) ? NULL :
            nn_list_entry(L.timers.next, struct nn_io_timer, item);
        if (!t || t->when > now) {
            pthread_mutex_unlock(&L.mtx);
            return;
        }
        nn_list_remove(&t->item);
        pthread_mutex_unlock(&L.mtx);
        t->fn(t);
    }
}

void nn_io_awake(void)
{
    pthread_mutex_lock(&L.mtx);
    L.wake_at = 0;   /* awake: timers started now are seen next round */
    pthread_mutex_unlock(&L.mtx);
}

static void *loop_main(void *arg)
{
    (void) arg;
    on_loop = 1;
    for (;;) {
        run_tasks();
        run_timers();
        /* The wait is decided under the same lock that timer starts take,
           so a timer started from now on either is seen here or wakes us. */
        pthread_mutex_lock(&L.mtx);
        int timeout = -1;
        uint64_t now = nn_clock_ms();
        if (L.tasks) {
            timeout = 0;
        } else if (!nn_list_empty(&L.timers)) {
            uint64_t when =
                nn_list_entry(L.timers.next, struct nn_io_timer, item)->when;
            uint64_t d = when > now ? when - now : 0;
            timeout = d > 60000 ? 60000 : (int) d;
        }
        L.wake_at = timeout < 0 ? UINT64_MAX : now + (uint64_t) timeout;
        pthread_mutex_unlock(&L.mtx);
        nn_iob_wait(timeout);
    }
    return NULL;
}

static int loop_init(void)
{
    nn_list_init(&L.timers);
    L.tasktail = &L.tasks;
    int rc = nn_iob_init();
    if (rc < 0)
        return rc;

    /* The worker blocks every signal so they reach application threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&L.thread, NULL, loop_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        nn_iob_term();
        return -rc;
    }
    return 0;
}

int nn_io_start(void)
{
    static pthread_mutex_t initmtx = PTHREAD_MUTEX_INITIALIZER;
    int rc = 0;
    pthread_mutex_lock(&initmtx);
    if (!__atomic_load_n(&L.started, __ATOMIC_ACQUIRE)) {
        rc = loop_init();
        if (rc == 0)
            __atomic_store_n(&L.started, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&initmtx);
    return rc;
}

int nn_io_fd_add(struct nn_io_fd *w, nn_io_handle h, unsigned events,
                 void (*cb)(struct nn_io_fd *w, unsigned revents))
{
    w->h = h;
    w->cb = cb;
    w->events = events;
    w->snap = -1;
    w->parks = 0;
    w->parked_until = 0;
    int rc = nn_iob_add(w);
    if (rc == 0)
        w->registered = 1;
    return rc;
}

void nn_io_fd_set(struct nn_io_fd *w, unsigned events)
{
    if (w->registered)
        nn_iob_set(w, events);
}

void nn_io_fd_del(struct nn_io_fd *w)
{
    if (!w->registered)
        return;
    nn_iob_del(w);
    w->registered = 0;
}

void nn_io_timer_init(struct nn_io_timer *t, void (*fn)(struct nn_io_timer *t))
{
    t->when = 0;
    t->fn = fn;
    nn_list_init(&t->item);
}

void nn_io_timer_start(struct nn_io_timer *t, int ms)
{
    uint64_t when = nn_clock_ms() + (uint64_t) (ms < 0 ? 0 : ms);
    pthread_mutex_lock(&L.mtx);
    if (nn_list_linked(&t->item))
        nn_list_remove(&t->item);
    t->when = when;
    struct nn_list *pos = L.timers.next;
    while (pos != &L.timers &&
           nn_list_entry(pos, struct nn_io_timer, item)->when <= when)
        pos = pos->next;
    nn_list_insert_before(pos, &t->item);
    int first = L.timers.next == &t->item && when < L.wake_at;
    pthread_mutex_unlock(&L.mtx);
    if (first && !on_loop)
        wake();
}

int nn_io_timer_cancel(struct nn_io_timer *t)
{
    int was;
    pthread_mutex_lock(&L.mtx);
    was = nn_list_linked(&t->item);
    if (was)
        nn_list_remove(&t->item);
    pthread_mutex_unlock(&L.mtx);
    return was;
}

int nn_io_timer_pending(struct nn_io_timer *t)
{
    pthread_mutex_lock(&L.mtx);
    int was = nn_list_linked(&t->item);
    pthread_mutex_unlock(&L.mtx);
    return was;
}

static void enqueue(struct task *t)
{
    pthread_mutex_lock(&L.mtx);
    t->next = NULL;
    *L.tasktail = t;
    L.tasktail = &t->next;
    pthread_mutex_unlock(&L.mtx);
    wake();
}

void nn_io_call(void (*fn)(void *arg), void *arg)
{
    if (on_loop || !__atomic_load_n(&L.started, __ATOMIC_ACQUIRE)) {
        fn(arg);
        return;
    }
    int done = 0;
    struct task t = { .fn = fn, .arg = arg, .done = &done };
    enqueue(&t);
    pthread_mutex_lock(&L.mtx);
    while (!done)
        pthread_cond_wait(&L.donecv, &L.mtx);
    pthread_mutex_unlock(&L.mtx);
}

int nn_io_post(void (*fn)(void *arg), void *arg)
{
    struct task *t = malloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->fn = fn;
    t->arg = arg;
    t->done = NULL;
    enqueue(t);
    return 0;
}
