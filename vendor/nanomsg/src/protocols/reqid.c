#include <errno.h>

#include "reqid.h"

uint32_t nn_reqid_start(void)
{
    return nn_random_u32() | NN_REQID_BIT;
}

uint32_t nn_reqid_next(uint32_t *id)
{
    *id = (*id + 1) | NN_REQID_BIT;
    return *id;
}

int nn_reqid_stamp(struct nn_msg *m, uint32_t id)
{
    uint8_t w[4];
    nn_put_u32(w, id);
    return nn_msg_set_hdr(m, w, sizeof w);
}

int nn_reqid_take(struct nn_msg *m, uint32_t id)
{
    if (nn_msg_payload_len(m) < 4 || nn_msg_payload_word(m, 0) != id)
        return 0;
    if (nn_msg_split(m, 4) != 0)
        return 0;
    nn_msg_set_hdr(m, NULL, 0);
    return 1;
}

int nn_reqid_raw_recv(struct nn_fq *fq, struct nn_msg *m)
{
    for (;;) {
        int rc = nn_fq_recv(fq, m, NULL);
        if (rc != 0)
            return rc;
        if (nn_msg_payload_len(m) >= 4 && nn_msg_split(m, 4) == 0)
            return 0;
        nn_msg_term(m);
    }
}
