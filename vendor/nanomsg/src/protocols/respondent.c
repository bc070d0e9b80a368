/* RESPONDENT and raw RESPONDENT: the replier protocol with the survey ids. */
#include "nanomsg/survey.h"
#include "replier.h"

const struct nn_proto nn_respondent_proto =
    NN_REPLIER_PROTO(NN_RESPONDENT, NN_SURVEYOR, "respondent.sp.nanomsg.org");
const struct nn_proto nn_xrespondent_proto =
    NN_XREPLIER_PROTO(NN_RESPONDENT, NN_SURVEYOR, "respondent.sp.nanomsg.org");
