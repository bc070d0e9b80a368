/* libFuzzer target: the SP connection header check of tcp/ipc
   (nn_sc_hdr_parse), the first 8 bytes a peer sends. Oracle: the magic
   00 'S' 'P' 00 gives the big-endian type of bytes 4-5 (bytes 6-7 are
   ignored), anything else -1; our own header parses back to its type. */
#include "transports/streamcodec.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *h, own[NN_SC_HDR_LEN];
    int type, want;

    if (size < NN_SC_HDR_LEN)
        return 0;
    /* Exactly 8 bytes on the heap: a read beyond them is caught. */
    h = (uint8_t *) fz_dup(data, NN_SC_HDR_LEN);
    type = nn_sc_hdr_parse(h);
    want = (h[0] == 0 && h[1] == 'S' && h[2] == 'P' && h[3] == 0)
               ? (h[4] << 8 | h[5]) : -1;
    FUZZ_ASSERT(type == want);
    want = h[4] << 8 | h[5];
    nn_sc_hdr_build(own, want);
    FUZZ_ASSERT(nn_sc_hdr_parse(own) == want);
    FUZZ_ASSERT(own[6] == 0 && own[7] == 0);
    free(h);
    return 0;
}
