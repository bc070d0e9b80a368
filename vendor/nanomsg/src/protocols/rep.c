/* REP and raw REP: the replier protocol with the request/reply ids. */
#include "nanomsg/reqrep.h"
#include "replier.h"

const struct nn_proto nn_rep_proto =
    NN_REPLIER_PROTO(NN_REP, NN_REQ, "rep.sp.nanomsg.org");
const struct nn_proto nn_xrep_proto =
    NN_XREPLIER_PROTO(NN_REP, NN_REQ, "rep.sp.nanomsg.org");
