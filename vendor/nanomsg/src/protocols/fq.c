#include <errno.h>

#include "fq.h"

void nn_fq_init(struct nn_fq *fq)
{
    nn_priolist_init(&fq->readable);
}

void nn_fq_add(struct nn_fq *fq, struct nn_fq_item *it, struct nn_pipe *p)
{
    (void) fq;
    nn_priolist_item_init(&it->pi, p, nn_pipe_rcvprio(p));
}

void nn_fq_rm(struct nn_fq *fq, struct nn_fq_item *it)
{
    nn_priolist_deactivate(&fq->readable, &it->pi);
}

void nn_fq_in(struct nn_fq *fq, struct nn_fq_item *it)
{
    nn_priolist_activate(&fq->readable, &it->pi);
}

int nn_fq_recv(struct nn_fq *fq, struct nn_msg *m, struct nn_pipe **from)
{
    struct nn_prio_item *it;

    while ((it = nn_priolist_head(&fq->readable)) != NULL) {
        int rc = nn_pipe_recv(it->pipe, m);
        if (rc < 0) {
            /* Announced readable but empty: forget it until the next `in`. */
            nn_priolist_deactivate(&fq->readable, it);
            continue;
        }
        if (rc & NN_PIPE_RELEASE)
            nn_priolist_deactivate(&fq->readable, it);
        else
            nn_priolist_rotate(&fq->readable, it);
        if (from)
            *from = it->pipe;
        return 0;
    }
    return -EAGAIN;
}
