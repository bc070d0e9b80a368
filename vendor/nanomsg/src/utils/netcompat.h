/* Socket calls that differ between Linux and the other POSIX systems
   (see platform.h). Every descriptor they return is non-blocking,
   close-on-exec and, where the system allows it, never raises SIGPIPE. */
#ifndef NN_UTILS_NETCOMPAT_H
#define NN_UTILS_NETCOMPAT_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

/* socket(2); -1 and errno on failure. */
int nn_socket_nb(int domain, int type, int protocol);
/* accept(2) of a pending connection; -1 and errno (EAGAIN: none). */
int nn_accept_nb(int lfd);
/* Make `fd` non-blocking and close-on-exec; 0, or -1 and errno. */
int nn_fd_nb(int fd);
/* sendmsg(2) / send(2) that report a vanished peer as EPIPE and never
   let SIGPIPE reach the host process. */
ssize_t nn_sendmsg_nosig(int fd, const struct msghdr *mh);
ssize_t nn_send_nosig(int fd, const void *buf, size_t len);
/* Ask for an immediate ACK where the system can (Linux); else nothing. */
void nn_tcp_quickack(int fd);
/* A pipe pair, both ends non-blocking and close-on-exec. 0 or -errno. */
int nn_pipe_nb(int fds[2]);

#endif
