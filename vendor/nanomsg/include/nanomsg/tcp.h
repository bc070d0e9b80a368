/* tcp.h - TCP transport (tcp://host:port). */
#ifndef TCP_H_INCLUDED
#define TCP_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_TCP -3

/* Option of level NN_TCP: boolean, disables Nagle's algorithm. */
#define NN_TCP_NODELAY 1

#ifdef __cplusplus
}
#endif

#endif /* TCP_H_INCLUDED */
