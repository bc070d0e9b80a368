#include "backtrace.h"

int nn_bt_scan(struct nn_msg *m, int maxttl)
{
    size_t words = nn_msg_payload_len(m) / 4;
    if (maxttl > NN_BT_MAXWORDS)
        maxttl = NN_BT_MAXWORDS;
    for (size_t i = 0; i < words && i < (size_t) maxttl; i++)
        if (nn_msg_payload_word(m, i) & NN_BT_END)
            return (int) ((i + 1) * 4);
    return -1;
}

int nn_bt_split(struct nn_msg *m, int maxttl)
{
    int n = nn_bt_scan(m, maxttl);
    if (n < 0 || nn_msg_split(m, (size_t) n) != 0)
        return -1;
    return 0;
}
