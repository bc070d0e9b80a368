/* BUS: send to every directly connected writable peer (no relaying),
   fair-queue in. Raw BUS tags each received message with an 8-byte token
   naming the pipe it came from (the pipe id, process-local, host order);
   sending with that token skips the pipe, so a raw BUS loopback device
   forwards a message to every peer but its origin. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nanomsg/bus.h"
#include "dist.h"
#include "fq.h"

#define BUS_TOKEN_LEN 8

struct bus {
    struct nn_dist dist;
    struct nn_fq fq;
};

struct bus_pipe {
    struct nn_dist_item d;
    struct nn_fq_item f;
};

static int bus_create(struct nn_sock *s, void **state)
{
    (void) s;
    struct bus *b = malloc(sizeof *b);
    if (!b)
        return -ENOMEM;
    nn_dist_init(&b->dist);
    nn_fq_init(&b->fq);
    *state = b;
    return 0;
}

static void bus_destroy(void *state)
{
    free(state);
}

static int bus_add(void *state, struct nn_pipe *p)
{
    struct bus *b = state;
    struct bus_pipe *bp = malloc(sizeof *bp);
    if (!bp)
        return -1;
    nn_dist_add(&b->dist, &bp->d, p);
    nn_fq_add(&b->fq, &bp->f, p);
    nn_pipe_setdata(p, bp);
    return 0;
}

static void bus_rm(void *state, struct nn_pipe *p)
{
    struct bus *b = state;
    struct bus_pipe *bp = nn_pipe_getdata(p);
    nn_dist_rm(&b->dist, &bp->d);
    nn_fq_rm(&b->fq, &bp->f);
    free(bp);
}

static void bus_in(void *state, struct nn_pipe *p)
{
    struct bus *b = state;
    struct bus_pipe *bp = nn_pipe_getdata(p);
    nn_fq_in(&b->fq, &bp->f);
}

static void bus_out(void *state, struct nn_pipe *p)
{
    struct bus *b = state;
    struct bus_pipe *bp = nn_pipe_getdata(p);
    nn_dist_out(&b->dist, &bp->d);
}

static int bus_events(void *state)
{
    struct bus *b = state;
    return NN_EV_OUT | (nn_fq_can_recv(&b->fq) ? NN_EV_IN : 0);
}

/* Next message, whole payload as body; its pipe in *from. */
static int bus_take(struct bus *b, struct nn_msg *m, struct nn_pipe **from)
{
    for (;;) {
        int rc = nn_fq_recv(&b->fq, m, from);
        if (rc != 0)
            return rc;
        if (nn_msg_split(m, 0) == 0)
            return 0;
        nn_msg_term(m);
    }
}

static int bus_send(void *state, struct nn_msg *m)
{
    struct bus *b = state;
    if (m->hdrlen != 0)
        return -EINVAL;
    nn_dist_send(&b->dist, m, 0);
    return 0;
}

static int bus_recv(void *state, struct nn_msg *m)
{
    return bus_take(state, m, NULL);
}

static int xbus_send(void *state, struct nn_msg *m)
{
    struct bus *b = state;
    uint64_t origin = 0;

    if (m->hdrlen == BUS_TOKEN_LEN)
        memcpy(&origin, nn_msg_hdr(m), sizeof origin);
    else if (m->hdrlen != 0)
        return -EINVAL;
    /* The token is local; nothing of it goes on the wire. */
    nn_msg_set_hdr(m, NULL, 0);
    nn_dist_send(&b->dist, m, origin);
    return 0;
}

static int xbus_recv(void *state, struct nn_msg *m)
{
    struct nn_pipe *from;
    int rc = bus_take(state, m, &from);
    if (rc != 0)
        return rc;
    uint64_t origin = nn_pipe_id(from);
    if (nn_msg_set_hdr(m, &origin, sizeof origin) != 0) {
        nn_msg_term(m);
        return -ENOMEM;
    }
    return 0;
}

#define BUS_PROTO(raw_, send_, recv_) {                                    \
    .type = NN_BUS, .peer = NN_BUS, .raw = (raw_),                         \
    .name = "bus.sp.nanomsg.org",                                          \
    .create = bus_create, .destroy = bus_destroy,                          \
    .add = bus_add, .rm = bus_rm, .in = bus_in, .out = bus_out,            \
    .send = (send_), .recv = (recv_), .events = bus_events,                \
}

const struct nn_proto nn_bus_proto = BUS_PROTO(0, bus_send, bus_recv);
const struct nn_proto nn_xbus_proto = BUS_PROTO(1, xbus_send, xbus_recv);
