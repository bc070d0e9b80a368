/* pubsub.h - publish/subscribe sockets. */
#ifndef PUBSUB_H_INCLUDED
#define PUBSUB_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_PUBSUB 2

#define NN_PUB (NN_PROTO_PUBSUB * 16 + 0)
#define NN_SUB (NN_PROTO_PUBSUB * 16 + 1)

/* Options of NN_SUB sockets (level NN_SUB); the value is a topic prefix. */
#define NN_SUB_SUBSCRIBE 1
#define NN_SUB_UNSUBSCRIBE 2

#ifdef __cplusplus
}
#endif

#endif /* PUBSUB_H_INCLUDED */
