/* The answering side of request/reply and survey: REP and RESPONDENT are
   the same protocol with different ids, so both take their callbacks from
   here. Cooked: one pending request, its backtrace stored and put back on
   the reply, which goes to the pipe the request came from. Raw: a hop id per
   pipe is pushed in front of the backtrace on recv and selects the pipe on
   send. */
#ifndef NN_PROTOCOLS_REPLIER_H
#define NN_PROTOCOLS_REPLIER_H

#include "../core/proto.h"

int nn_replier_create(struct nn_sock *s, void **state);
void nn_replier_destroy(void *state);
int nn_replier_add(void *state, struct nn_pipe *p);
void nn_replier_rm(void *state, struct nn_pipe *p);
void nn_replier_in(void *state, struct nn_pipe *p);
void nn_replier_out(void *state, struct nn_pipe *p);
int nn_replier_send(void *state, struct nn_msg *m);
int nn_replier_recv(void *state, struct nn_msg *m);
int nn_replier_events(void *state);

int nn_xreplier_create(struct nn_sock *s, void **state);
void nn_xreplier_destroy(void *state);
int nn_xreplier_add(void *state, struct nn_pipe *p);
void nn_xreplier_rm(void *state, struct nn_pipe *p);
int nn_xreplier_send(void *state, struct nn_msg *m);
int nn_xreplier_recv(void *state, struct nn_msg *m);
int nn_xreplier_events(void *state);

#define NN_REPLIER_PROTO(type_, peer_, name_) {                            \
    .type = (type_), .peer = (peer_), .raw = 0, .name = (name_),           \
    .create = nn_replier_create, .destroy = nn_replier_destroy,            \
    .add = nn_replier_add, .rm = nn_replier_rm,                            \
    .in = nn_replier_in, .out = nn_replier_out,                            \
    .send = nn_replier_send, .recv = nn_replier_recv,                      \
    .events = nn_replier_events,                                           \
}

#define NN_XREPLIER_PROTO(type_, peer_, name_) {                           \
    .type = (type_), .peer = (peer_), .raw = 1, .name = (name_),           \
    .create = nn_xreplier_create, .destroy = nn_xreplier_destroy,          \
    .add = nn_xreplier_add, .rm = nn_xreplier_rm,                          \
    .in = nn_replier_in, .out = nn_replier_out,                            \
    .send = nn_xreplier_send, .recv = nn_xreplier_recv,                    \
    .events = nn_xreplier_events,                                          \
}

#endif
