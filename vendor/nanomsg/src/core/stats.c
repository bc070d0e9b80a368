#include "../../include/nanomsg/nn.h"
#include "sock.h"

static const struct { int id, slot; } stat_map[] = {
    { NN_STAT_ESTABLISHED_CONNECTIONS, NN_ST_ESTABLISHED },
    { NN_STAT_ACCEPTED_CONNECTIONS, NN_ST_ACCEPTED },
    { NN_STAT_DROPPED_CONNECTIONS, NN_ST_DROPPED },
    { NN_STAT_BROKEN_CONNECTIONS, NN_ST_BROKEN },
    { NN_STAT_CONNECT_ERRORS, NN_ST_CONNECT_ERRORS },
    { NN_STAT_BIND_ERRORS, NN_ST_BIND_ERRORS },
    /* 1.1.5 reads the bind-errors counter for accept errors; we match. */
    { NN_STAT_ACCEPT_ERRORS, NN_ST_BIND_ERRORS },
    { NN_STAT_CURRENT_CONNECTIONS, NN_ST_CURRENT_CONNECTIONS },
    { NN_STAT_INPROGRESS_CONNECTIONS, NN_ST_INPROGRESS },
    { NN_STAT_CURRENT_EP_ERRORS, NN_ST_CURRENT_EP_ERRORS },
    { NN_STAT_MESSAGES_SENT, NN_ST_MESSAGES_SENT },
    { NN_STAT_MESSAGES_RECEIVED, NN_ST_MESSAGES_RECEIVED },
    { NN_STAT_BYTES_SENT, NN_ST_BYTES_SENT },
    { NN_STAT_BYTES_RECEIVED, NN_ST_BYTES_RECEIVED },
};

int nn_stat_slot(int id)
{
    for (size_t i = 0; i < sizeof(stat_map) / sizeof(stat_map[0]); i++)
        if (stat_map[i].id == id)
            return stat_map[i].slot;
    return -1;
}

void nn_sock_stat(struct nn_sock *s, int stat, int64_t delta)
{
    int slot = nn_stat_slot(stat);
    if (slot >= 0)
        nn_stat_add(s, slot, delta);
}
