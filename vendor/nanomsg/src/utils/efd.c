#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "efd.h"
#include "platform.h"

#ifdef NN_HAVE_EVENTFD
#include <sys/eventfd.h>
#else
#include "netcompat.h"
#endif

int nn_efd_open(struct nn_efd *e)
{
#ifdef NN_HAVE_EVENTFD
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return errno == ENFILE ? -EMFILE : -errno;
    e->rd = e->wr = fd;
    return 0;
#else
    int fds[2];
    int rc = nn_pipe_nb(fds);
    if (rc < 0)
        return rc == -ENFILE ? -EMFILE : rc;
    e->rd = fds[0];
    e->wr = fds[1];
    return 0;
#endif
}

void nn_efd_close(struct nn_efd *e)
{
    if (e->rd < 0)
        return;
    close(e->rd);
    if (e->wr != e->rd)
        close(e->wr);
    e->rd = e->wr = -1;
}

void nn_efd_signal(struct nn_efd *e)
{
    /* 8 bytes: what an eventfd takes; a pipe takes any size. A full pipe
       or a saturated counter is readable anyway. */
    uint64_t one = 1;
    if (write(e->wr, &one, sizeof(one)) < 0) { /* already signalled */ }
}

void nn_efd_drain(struct nn_efd *e)
{
    uint64_t buf[8];
    while (read(e->rd, buf, e->rd == e->wr ? sizeof(buf[0]) : sizeof(buf)) > 0) {
    }
}
