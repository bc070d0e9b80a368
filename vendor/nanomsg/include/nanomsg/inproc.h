/* inproc.h - in-process transport (inproc://name). */
#ifndef INPROC_H_INCLUDED
#define INPROC_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_INPROC -1

#ifdef __cplusplus
}
#endif

#endif /* INPROC_H_INCLUDED */
