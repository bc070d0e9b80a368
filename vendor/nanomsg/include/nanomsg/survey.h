/* survey.h - surveyor/respondent sockets. */
#ifndef SURVEY_H_INCLUDED
#define SURVEY_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_SURVEY 6

/* The two roles are numbered 2 and 3 on purpose (0 and 1 are retired). */
#define NN_SURVEYOR (NN_PROTO_SURVEY * 16 + 2)
#define NN_RESPONDENT (NN_PROTO_SURVEY * 16 + 3)

/* Option of NN_SURVEYOR sockets (level NN_SURVEYOR): deadline in ms. */
#define NN_SURVEYOR_DEADLINE 1

#ifdef __cplusplus
}
#endif

#endif /* SURVEY_H_INCLUDED */
