/* The I/O event loop: one worker thread (started on first use, all signals
   blocked) running descriptor watches, timers and posted tasks. The
   watches go through a backend (backend.h): epoll on Linux, poll(2)
   elsewhere. Everything a
   transport does with its descriptors and timers happens on this thread,
   which is what makes teardown simple: code running on the loop thread
   cannot race with a callback of its own. */
#ifndef NN_IO_LOOP_H
#define NN_IO_LOOP_H

#include <stdint.h>

#include "../utils/list.h"

#define NN_IO_IN 1u
#define NN_IO_OUT 2u
#define NN_IO_ERR 4u   /* error or hang-up; reported whatever the interest */
/* Interest only: the peer shut its side down, reported as NN_IO_ERR. Lets
   an owner that does not watch for input see a hang-up. Stream sockets
   only. A backend that cannot ask the kernel for exactly this (poll) may
   report it late, by up to a few tens of milliseconds, while unread input
   is pending, and reports NN_IO_IN instead when input stays unread for
   long: nobody else is reading, so the owner must. */
#define NN_IO_RDHUP 8u

/* What the backend watches: a descriptor on POSIX. Code outside the
   backends only stores and passes it (see README.md: Windows). */
typedef int nn_io_handle;

struct nn_io_fd {
    nn_io_handle h;
    unsigned events;   /* current interest */
    void (*cb)(struct nn_io_fd *w, unsigned revents);
    int registered;
    /* The backend's. */
    int slot;          /* place in the poll backend's table */
    int snap;          /* place in the poll set being dispatched, or -1 */
    short polled;      /* its events there */
    unsigned parks;    /* RDHUP checks in a row that found input */
    uint64_t parked_until;
};

/* Start the loop if needed; 0 or -errno. Called by the core at socket
   creation so transports can assume a running loop. */
int nn_io_start(void);

/* Register `h` with interest `events`; any thread. 0 or -errno. */
int nn_io_fd_add(struct nn_io_fd *w, nn_io_handle h, unsigned events,
                 void (*cb)(struct nn_io_fd *w, unsigned revents));
/* Change the interest; any thread. */
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

/* The backend compiled in: "epoll" or "poll". */
const char *nn_io_backend_name(void);

/* Monotonic clock in milliseconds. */
uint64_t nn_clock_ms(void);

#endif
