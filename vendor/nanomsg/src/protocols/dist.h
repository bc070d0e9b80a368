/* Distribute: every currently writable pipe gets the message (sharing one
   body); pipes that cannot take it now simply miss it. Never blocks. Used
   by PUB, BUS and SURVEYOR. */
#ifndef NN_PROTOCOLS_DIST_H
#define NN_PROTOCOLS_DIST_H

#include <stdint.h>

#include "../core/proto.h"
#include "../utils/list.h"

struct nn_dist {
    struct nn_list writable;
};

struct nn_dist_item {
    struct nn_list node;   /* linked while writable */
    struct nn_pipe *pipe;
};

void nn_dist_init(struct nn_dist *d);
void nn_dist_add(struct nn_dist *d, struct nn_dist_item *it,
                 struct nn_pipe *p);
void nn_dist_rm(struct nn_dist *d, struct nn_dist_item *it);
/* The pipe can take a message. */
void nn_dist_out(struct nn_dist *d, struct nn_dist_item *it);
/* Always takes *m. `exclude` is the nn_pipe_id of a pipe to skip, 0 for
   none. */
void nn_dist_send(struct nn_dist *d, struct nn_msg *m, uint64_t exclude);

#endif
