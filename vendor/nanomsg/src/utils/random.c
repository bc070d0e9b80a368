#include <stdint.h>
#include <sys/random.h>
#include <time.h>

#include "../core/proto.h"

uint32_t nn_random_u32(void)
{
    uint32_t v;
    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t) sizeof(v))
        return v;
    /* No entropy yet (very early boot): ids only need to differ between
       sockets and runs, not to be secret. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    v = (uint32_t) ts.tv_nsec ^ (uint32_t) ts.tv_sec * 2654435761u;
    return v ^ (uint32_t) (uintptr_t) &ts;
}
