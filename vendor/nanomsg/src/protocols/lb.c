#include <errno.h>

#include "lb.h"

void nn_lb_init(struct nn_lb *lb)
{
    nn_priolist_init(&lb->writable);
    lb->seen_pipe = 0;
}

void nn_lb_add(struct nn_lb *lb, struct nn_lb_item *it, struct nn_pipe *p)
{
    lb->seen_pipe = 1;
    nn_priolist_item_init(&it->pi, p, nn_pipe_sndprio(p));
}

void nn_lb_rm(struct nn_lb *lb, struct nn_lb_item *it)
{
    nn_priolist_deactivate(&lb->writable, &it->pi);
}

void nn_lb_out(struct nn_lb *lb, struct nn_lb_item *it)
{
    nn_priolist_activate(&lb->writable, &it->pi);
}

int nn_lb_send(struct nn_lb *lb, struct nn_msg *m, struct nn_pipe **to)
{
    struct nn_prio_item *it = nn_priolist_head(&lb->writable);
    if (!it)
        return -EAGAIN;
    if (nn_pipe_send(it->pipe, m) & NN_PIPE_RELEASE)
        nn_priolist_deactivate(&lb->writable, it);
    else
        nn_priolist_rotate(&lb->writable, it);
    if (to)
        *to = it->pipe;
    return 0;
}

int nn_lb_prio(const struct nn_lb *lb)
{
    return lb->seen_pipe ? nn_priolist_best(&lb->writable) : 0;
}
