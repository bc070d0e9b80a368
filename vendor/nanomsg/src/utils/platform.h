/* The one place where the build picks its platform path.

   Linux gets epoll, eventfd, accept4, MSG_NOSIGNAL and TCP_QUICKACK.
   Every other POSIX system (macOS, the BSDs, ...) gets the portable path:
   the poll(2) backend and a POSIX fallback for each of those calls.
   Defining NN_PORTABLE (make NN_PORTABLE=1, or NN_PORTABLE=1 in the
   environment of pip install) forces the portable path on Linux too, so
   that it is built and tested here exactly as elsewhere. */
#ifndef NN_UTILS_PLATFORM_H
#define NN_UTILS_PLATFORM_H

/* The C library's version macros (__GLIBC__, ...) come with <unistd.h>. */
#include <unistd.h>

#if defined(__linux__) && !defined(NN_PORTABLE)
#ifdef NN_BENCH_POLL_BACKEND
/* For bench/ only: the poll backend with every Linux call kept, to tell
   the backend's cost from the fallbacks'. Not a supported build. */
#define NN_IO_BACKEND_POLL 1
#else
#define NN_IO_BACKEND_EPOLL 1
#endif
#define NN_HAVE_EPOLL 1
#define NN_HAVE_EVENTFD 1
#define NN_HAVE_ACCEPT4 1         /* and SOCK_NONBLOCK / SOCK_CLOEXEC */
#define NN_HAVE_MSG_NOSIGNAL 1
#define NN_HAVE_TCP_QUICKACK 1
/* glibc has getrandom from 2.25 (older ones, e.g. the manylinux2014
   baseline 2.17, read /dev/urandom); musl from 1.1.20. */
#if !defined(__GLIBC__) || __GLIBC__ > 2 || \
    (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25)
#define NN_HAVE_GETRANDOM 1
#endif
#else
#define NN_IO_BACKEND_POLL 1
#endif

/* The portable path asks the system for what it has at compile time:
   SO_NOSIGPIPE (macOS, the BSDs) comes from <sys/socket.h>, so files that
   use NN_HAVE_SO_NOSIGPIPE include that first. */
#if !defined(NN_HAVE_MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
#define NN_HAVE_SO_NOSIGPIPE 1
#endif

#endif
