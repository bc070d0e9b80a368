#include "dist.h"

void nn_dist_init(struct nn_dist *d)
{
    nn_list_init(&d->writable);
}

void nn_dist_add(struct nn_dist *d, struct nn_dist_item *it,
                 struct nn_pipe *p)
{
    (void) d;
    nn_list_init(&it->node);
    it->pipe = p;
}

void nn_dist_rm(struct nn_dist *d, struct nn_dist_item *it)
{
    (void) d;
    if (nn_list_linked(&it->node))
        nn_list_remove(&it->node);
}

void nn_dist_out(struct nn_dist *d, struct nn_dist_item *it)
{
    if (!nn_list_linked(&it->node))
        nn_list_push(&d->writable, &it->node);
}

static void give(struct nn_dist_item *it, struct nn_msg *m, int many)
{
    int rc = many ? nn_pipe_send_queued(it->pipe, m)
                  : nn_pipe_send(it->pipe, m);
    if (rc & NN_PIPE_RELEASE)
        nn_list_remove(&it->node);
}

void nn_dist_send(struct nn_dist *d, struct nn_msg *m, uint64_t exclude)
{
    struct nn_list *n, *tmp;
    struct nn_dist_item *held = NULL;
    /* One peer: written at once, no thread hop. Several: queued for the
       I/O thread, which batches each connection's writes. */
    int many = d->writable.next != &d->writable &&
               d->writable.next->next != &d->writable;

    /* Each pipe is served one step late so that the last one gets the
       original message and only the others need a copy. */
    nn_list_foreach(n, tmp, &d->writable) {
        struct nn_dist_item *it = nn_list_entry(n, struct nn_dist_item, node);
        if (exclude && nn_pipe_id(it->pipe) == exclude)
            continue;
        if (held) {
            struct nn_msg copy;
            /* Out of memory: that peer misses this message, as a
               non-writable one would. */
            if (nn_msg_dup(&copy, m) == 0)
                give(held, &copy, many);
        }
        held = it;
    }
    if (held)
        give(held, m, many);
    else
        nn_msg_term(m);
}
