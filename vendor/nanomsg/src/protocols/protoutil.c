#include <errno.h>
#include <string.h>

#include "protoutil.h"

void nn_proto_drain(struct nn_pipe *p)
{
    for (;;) {
        struct nn_msg m;
        int rc = nn_pipe_recv(p, &m);
        if (rc < 0)
            return;
        nn_msg_term(&m);
        if (rc & NN_PIPE_RELEASE)
            return;
    }
}

int nn_proto_setint(int *dst, const void *val, size_t len)
{
    int v;
    if (len != sizeof(int) || val == NULL)
        return -EINVAL;
    memcpy(&v, val, sizeof v);
    if (v < 0)
        return -EINVAL;
    *dst = v;
    return 0;
}

int nn_proto_getint(int v, void *val, size_t *len)
{
    if (*len < sizeof(int) || val == NULL)
        return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof(int);
    return 0;
}
