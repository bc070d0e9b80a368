/* The seam between the event loop (loop.c: timers, tasks, the worker
   thread) and the system's readiness API. Exactly one backend is compiled
   in, chosen in utils/platform.h. See README.md for the contract. */
#ifndef NN_IO_BACKEND_H
#define NN_IO_BACKEND_H

#include "../utils/platform.h"
#include "loop.h"

/* Create the poller and the waker. Before the worker starts. -errno. */
int nn_iob_init(void);
/* Undo nn_iob_init when the worker could not start. */
void nn_iob_term(void);
/* Make a current or the next nn_iob_wait return soon. Any thread. */
void nn_iob_wake(void);
/* Watch w->h for w->events (w->cb set). Any thread. 0 or -errno. */
int nn_iob_add(struct nn_io_fd *w);
/* Change the interest to `events`. Any thread. */
void nn_iob_set(struct nn_io_fd *w, unsigned events);
/* Stop watching; no callback for w after this, not even one collected in
   the round under way. Loop thread only. */
void nn_iob_del(struct nn_io_fd *w);
/* Wait up to `timeout` ms (-1: no limit) for readiness or a wake-up and
   run the callbacks of the ready watches. Loop thread only. */
void nn_iob_wait(int timeout);
const char *nn_iob_name(void);

/* From loop.c. 1 on the loop thread. */
int nn_io_on_loop(void);
/* nn_iob_wait calls it when the wait is over, before any callback. */
void nn_io_awake(void);

#endif
