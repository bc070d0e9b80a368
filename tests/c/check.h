/* The check macro shared by the C test programs: a failed check is
   reported with its place and the current errno, and counted; a program
   ends with `return check_result("name");`. */
#ifndef NN_TEST_CHECK_H
#define NN_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>

#include <nanomsg/nn.h>

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            int e_ = errno;                                                \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d: %s)\n",    \
                    __FILE__, __LINE__, #cond, e_, nn_strerror(e_));       \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#endif
