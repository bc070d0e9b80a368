/* Randomness from the OS: getrandom(2) on Linux; elsewhere /dev/urandom,
   which every POSIX system we target has (getentropy would do on newer
   ones, but not on glibc before 2.25). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "../core/proto.h"
#include "platform.h"

#ifdef NN_HAVE_GETRANDOM
#include <sys/random.h>

int nn_random_bytes(void *buf, size_t len)
{
    return getrandom(buf, len, GRND_NONBLOCK) == (ssize_t) len ? 0 : -1;
}
#else
int nn_random_bytes(void *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        len -= (size_t) n;
    }
    close(fd);
    return len == 0 ? 0 : -1;
}
#endif

uint32_t nn_random_u32(void)
{
    uint32_t v;
    if (nn_random_bytes(&v, sizeof(v)) == 0)
        return v;
    /* No entropy yet (very early boot): ids only need to differ between
       sockets and runs, not to be secret. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    v = (uint32_t) ts.tv_nsec ^ (uint32_t) ts.tv_sec * 2654435761u;
    return v ^ (uint32_t) (uintptr_t) &ts;
}
