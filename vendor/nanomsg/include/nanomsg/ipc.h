/* ipc.h - local IPC transport (ipc://path). */
#ifndef IPC_H_INCLUDED
#define IPC_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_IPC -2

/* Options of level NN_IPC. */
#define NN_IPC_SEC_ATTR 1
#define NN_IPC_OUTBUFSZ 2
#define NN_IPC_INBUFSZ 3

#ifdef __cplusplus
}
#endif

#endif /* IPC_H_INCLUDED */
