/* pipeline.h - push/pull (pipeline) sockets. */
#ifndef PIPELINE_H_INCLUDED
#define PIPELINE_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_PIPELINE 5

#define NN_PUSH (NN_PROTO_PIPELINE * 16 + 0)
#define NN_PULL (NN_PROTO_PIPELINE * 16 + 1)

#ifdef __cplusplus
}
#endif

#endif /* PIPELINE_H_INCLUDED */
