/* pair.h - one-to-one sockets. */
#ifndef PAIR_H_INCLUDED
#define PAIR_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_PAIR 1

#define NN_PAIR (NN_PROTO_PAIR * 16 + 0)

#ifdef __cplusplus
}
#endif

#endif /* PAIR_H_INCLUDED */
