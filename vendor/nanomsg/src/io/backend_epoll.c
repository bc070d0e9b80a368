/* The epoll backend (Linux): level-triggered watches, an eventfd to wake
   the wait. epoll_ctl is thread-safe, so add and set need no lock. */
#include "backend.h"

#ifdef NN_IO_BACKEND_EPOLL

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static struct {
    int epfd, wakefd;
    /* The dispatch round under way, so that removing a watch can drop
       its events collected in the same round. */
    struct epoll_event *cur;
    int cur_i, cur_n;
} E;

/* Marks a removed watch's remaining events of the current round. */
static char removed_mark;

const char *nn_iob_name(void)
{
    return "epoll";
}

int nn_iob_init(void)
{
    E.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (E.epfd < 0)
        return -errno;
    E.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (E.wakefd < 0) {
        int e = errno;
        close(E.epfd);
        return -e;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(E.epfd, EPOLL_CTL_ADD, E.wakefd, &ev) != 0) {
        int e = errno;
        nn_iob_term();
        return -e;
    }
    return 0;
}

void nn_iob_term(void)
{
    close(E.epfd);
    close(E.wakefd);
}

void nn_iob_wake(void)
{
    uint64_t one = 1;
    if (write(E.wakefd, &one, sizeof(one)) < 0) { /* already pending */ }
}

static uint32_t to_epoll(unsigned events)
{
    uint32_t e = 0;
    if (events & NN_IO_IN)
        e |= EPOLLIN;
    if (events & NN_IO_OUT)
        e |= EPOLLOUT;
    if (events & NN_IO_RDHUP)
        e |= EPOLLRDHUP;
    return e;
}

int nn_iob_add(struct nn_io_fd *w)
{
    struct epoll_event ev = { .events = to_epoll(w->events), .data.ptr = w };
    if (epoll_ctl(E.epfd, EPOLL_CTL_ADD, w->h, &ev) != 0)
        return -errno;
    return 0;
}

void nn_iob_set(struct nn_io_fd *w, unsigned events)
{
    w->events = events;
    struct epoll_event ev = { .events = to_epoll(events), .data.ptr = w };
    epoll_ctl(E.epfd, EPOLL_CTL_MOD, w->h, &ev);
}

void nn_iob_del(struct nn_io_fd *w)
{
    epoll_ctl(E.epfd, EPOLL_CTL_DEL, w->h, NULL);
    for (int i = E.cur_i + 1; i < E.cur_n; i++)
        if (E.cur[i].data.ptr == w)
            E.cur[i].data.ptr = &removed_mark;
}

void nn_iob_wait(int timeout)
{
    struct epoll_event evs[64];
    int n = epoll_wait(E.epfd, evs, 64, timeout);
    nn_io_awake();
    if (n < 0)
        return;
    E.cur = evs;
    E.cur_n = n;
    for (E.cur_i = 0; E.cur_i < n; E.cur_i++) {
        int i = E.cur_i;
        struct nn_io_fd *w = evs[i].data.ptr;
        if (!w) {
            uint64_t v;
            while (read(E.wakefd, &v, sizeof(v)) > 0) {}
            continue;
        }
        if (w == (void *) &removed_mark)
            continue;
        unsigned re = 0;
        if (evs[i].events & EPOLLIN)
            re |= NN_IO_IN;
        if (evs[i].events & EPOLLOUT)
            re |= NN_IO_OUT;
        if (evs[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
            re |= NN_IO_ERR;
        w->cb(w, re);
    }
    E.cur_n = 0;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int nn_iob_epoll_unused;
#endif
