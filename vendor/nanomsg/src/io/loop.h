/* The I/O event loop: one worker thread (started on first use, all signals
   blocked) running epoll watches, timers and posted tasks. Everything a
   transport does with its descriptors and timers happens on this thread,
   which is what makes teardown simple: code running on the loop thread
   cannot race with a callback of its own. */
#ifndef NN_IO_LOOP_H
#define NN_IO_LOOP_H

#include <stdint.h>

#include "../utils/list.h"

#define NN_IO_IN 1u
#define NN_IO_OUT 2u
#define NN_IO_ERR 4u   /* EPOLLERR / EPOLLHUP */
/* Interest only: the peer shut its side down (EPOLLRDHUP), reported as
   NN_IO_ERR. Lets an owner that does not watch for input see a hang-up. */
#define NN_IO_RDHUP 8u

struct nn_io_fd {
    int fd;
    unsigned events;   /* current interest */
    void (*cb)(struct nn_io_fd *w, unsigned revents);
    int registered;
};

/* Start the loop if needed; 0 or -errno. Called by the core at socket
   creation so transports can assume a running loop. */
int nn_io_start(void);

/* Register `fd` with interest `events`; any thread. 0 or -errno. */
int nn_io_fd_add(struct nn_io_fd *w, int fd, unsigned events,
                 void (*cb)(struct nn_io_fd *w, unsigned revents));
/* Change the interest; any thread (epoll_ctl is thread-safe). */
void nn_io_fd_set(struct nn_io_fd *w, unsigned events);
/* Unregister. LOOP THREAD ONLY (use nn_io_call from elsewhere). After it
   returns the callback will not be called again, not even for events
   already collected in the current round; the caller may free `w` and
   close the descriptor. */
void nn_io_fd_del(struct nn_io_fd *w);

/* One-shot timers. start/cancel from any thread. The callback runs on the
   loop thread with no lock held. cancel returns 1 if the timer was pending
   and is now removed (the callback will not run), 0 if it was not pending
   (never started, already fired, or firing right now on the loop thread). */
struct nn_io_timer {
    uint64_t when;     /* monotonic ms */
    void (*fn)(struct nn_io_timer *t);
    struct nn_list item;
};
void nn_io_timer_init(struct nn_io_timer *t, void (*fn)(struct nn_io_timer *t));
void nn_io_timer_start(struct nn_io_timer *t, int ms);
int nn_io_timer_cancel(struct nn_io_timer *t);
int nn_io_timer_pending(struct nn_io_timer *t);

/* Run fn(arg) on the loop thread. nn_io_call waits for it to finish (runs
   it inline when already on the loop thread); never call it while holding
   a lock that a loop callback may take (a socket lock, a transport lock).
   nn_io_post does not wait; it allocates, so it may fail with -ENOMEM. */
void nn_io_call(void (*fn)(void *arg), void *arg);
int nn_io_post(void (*fn)(void *arg), void *arg);

/* Monotonic clock in milliseconds. */
uint64_t nn_clock_ms(void);

#endif
