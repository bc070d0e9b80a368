/* Forced in (-include) by build-wheels.sh for the glibc 2.17 targets only.

   The core calls getrandom(2), which glibc declares only from 2.25 on,
   while the manylinux2014 wheels are built against glibc 2.17 (whose
   <sys/random.h> still gives GRND_NONBLOCK). This makes the same call
   through syscall(2): on kernels older than 3.17 it fails with ENOSYS and
   the core takes its fallback, as it does for EAGAIN. No libc header is
   read here, so the feature macros that Python.h sets keep working. Only
   the core's files are concerned (they define _GNU_SOURCE on the command
   line). To be dropped once the core picks getrandom by glibc version. */
#if defined(_GNU_SOURCE) && !defined(NN_WHEEL_COMPAT_GETRANDOM)
#define NN_WHEEL_COMPAT_GETRANDOM 1
#include <stddef.h>
#include <asm/unistd.h>
long syscall(long number, ...);
static inline long nn_wheel_getrandom(void *buf, size_t len, unsigned flags)
{
    return syscall(__NR_getrandom, buf, len, flags);
}
#define getrandom nn_wheel_getrandom
#endif
