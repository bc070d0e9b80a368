/* errstr.c - nn_errno and nn_strerror. */
#include "../../include/nanomsg/nn.h"

#include <string.h>

int nn_errno(void)
{
    return errno;
}

const char *nn_strerror(int errnum)
{
    /* Only the library's own codes need our texts; the C library knows the
       rest (fallback codes exist only on platforms we do not build for). */
    switch (errnum) {
    case ETERM:
        return "Nanomsg library was terminated";
    case EFSM:
        return "Operation cannot be performed in this state";
    default:
        return strerror(errnum);
    }
}
