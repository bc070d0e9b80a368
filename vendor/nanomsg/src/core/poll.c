/* nn_poll: a thin layer over the sockets' readiness descriptors. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "../../include/nanomsg/nn.h"

int nn_poll(struct nn_pollfd *fds, int nfds, int timeout)
{
    if (nfds < 0 || (nfds > 0 && !fds)) {
        errno = EINVAL;
        return -1;
    }
    if (nfds == 0)
        return poll(NULL, 0, timeout);

    /* Two OS entries per socket: its RCVFD and its SNDFD. */
    struct pollfd *p = calloc((size_t) nfds * 2, sizeof(*p));
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < nfds; i++) {
        p[2 * i].fd = p[2 * i + 1].fd = -1;
        static const int opt[2] = { NN_RCVFD, NN_SNDFD };
        static const short ev[2] = { NN_POLLIN, NN_POLLOUT };
        for (int k = 0; k < 2; k++) {
            if (!(fds[i].events & ev[k]))
                continue;
            int fd;
            size_t sz = sizeof(fd);
            if (nn_getsockopt(fds[i].fd, NN_SOL_SOCKET, opt[k], &fd, &sz) < 0) {
                int e = errno;
                free(p);
                errno = e;
                return -1;
            }
            p[2 * i + k].fd = fd;
            p[2 * i + k].events = POLLIN;
        }
    }
    int rc = poll(p, (nfds_t) nfds * 2, timeout);
    if (rc <= 0) {
        int e = errno;
        free(p);
        errno = e;
        return rc;
    }
    int count = 0;
    for (int i = 0; i < nfds; i++) {
        fds[i].revents = 0;
        if (p[2 * i].revents & POLLIN)
            fds[i].revents |= NN_POLLIN;
        if (p[2 * i + 1].revents & POLLIN)
            fds[i].revents |= NN_POLLOUT;
        if (fds[i].revents)
            count++;
    }
    free(p);
    return count;
}
