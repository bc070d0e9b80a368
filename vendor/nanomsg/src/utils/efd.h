/* A wake-up descriptor: readable while signalled. An eventfd on Linux, a
   non-blocking pipe pair elsewhere (see platform.h). `rd` is what poll(2)
   watches and what NN_SNDFD/NN_RCVFD hand out. */
#ifndef NN_UTILS_EFD_H
#define NN_UTILS_EFD_H

struct nn_efd {
    int rd;    /* -1: not open */
    int wr;    /* == rd for an eventfd */
};

#define NN_EFD_NONE { -1, -1 }

/* 0 or -errno (ENFILE reported as EMFILE, as libnanomsg does). */
int nn_efd_open(struct nn_efd *e);
void nn_efd_close(struct nn_efd *e);
/* Make readable. Signalling an already signalled one is harmless. */
void nn_efd_signal(struct nn_efd *e);
/* Make unreadable again. */
void nn_efd_drain(struct nn_efd *e);

#endif
