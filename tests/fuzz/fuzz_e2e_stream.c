/* libFuzzer target, end to end: bytes from a peer into a live tcp or ipc
   connection of a socket of every protocol, raw or not, accepted or
   dialed (see e2e.h for the harness and its oracles).

   Input: a knob byte (bits 0-3: protocol, mod 10; bit 4: raw socket;
   bit 5: ipc instead of tcp; bit 6: the socket dials us instead of us
   dialing it; bit 7: the input supplies the 8-byte SP header itself,
   else a valid one of the peer type is sent), then the bytes. */
#include "e2e_conn.h"

static int socks[2][2][E2E_NPROTO];     /* [ipc][raw][proto] + 1, 0: none */
static struct e2e_addr where[2][2][E2E_NPROTO];
static int lfd[2] = {-1, -1};           /* our listeners [ipc] */
static unsigned lport;
static char lpath[108];

static int get_socket(int ipc, int raw, int p)
{
    char addr[160];
    int s;

    if (socks[ipc][raw][p] != 0)
        return socks[ipc][raw][p] - 1;
    s = e2e_socket(p, raw);
    if (ipc) {
        snprintf(addr, sizeof(addr), "ipc://%s/s-%d-%d.ipc",
                 fuzz_sandbox_dir(), raw, p);
        e2e_ipc_addr(&where[ipc][raw][p], addr + 6);
    }
    /* The sandbox gives every tcp bind an OS-chosen port. */
    FUZZ_ASSERT(nn_bind(s, ipc ? addr : "tcp://127.0.0.1:1") >= 0);
    if (!ipc)
        e2e_tcp_addr(&where[ipc][raw][p], fuzz_sandbox_port());
    socks[ipc][raw][p] = s + 1;
    return s;
}

static int our_listener(int ipc)
{
    struct e2e_addr a;

    if (lfd[ipc] >= 0)
        return lfd[ipc];
    if (ipc) {
        snprintf(lpath, sizeof(lpath), "%s/ours.ipc", fuzz_sandbox_dir());
        e2e_ipc_addr(&a, lpath);
        lfd[ipc] = e2e_listen(&a, NULL);
    } else {
        e2e_tcp_addr(&a, 1);   /* any port: see sandbox.c */
        lfd[ipc] = e2e_listen(&a, &lport);
    }
    return lfd[ipc];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = {data, size};
    uint8_t k = fz_u8(&f);
    int p = (k & 15) % E2E_NPROTO, raw = (k >> 4) & 1, ipc = (k >> 5) & 1;
    int dial = (k >> 6) & 1, own_hdr = (k >> 7) & 1;
    int s = get_socket(ipc, raw, p), fd, eid = -1;
    uint8_t hdr[8] = {0, 'S', 'P', 0, 0, 0, 0, 0};
    const uint8_t *rest;
    size_t n;
    char addr[160];

    if (dial) {
        int l = our_listener(ipc);
        if (ipc)
            snprintf(addr, sizeof(addr), "ipc://%s", lpath);
        else
            snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%u", lport);
        eid = nn_connect(s, addr);
        FUZZ_ASSERT(eid >= 0);
        fd = e2e_accept(l);
    } else {
        fd = e2e_connect(&where[ipc][raw][p]);
    }
    if (!own_hdr) {
        hdr[4] = (uint8_t) (e2e_peers[p] >> 8);
        hdr[5] = (uint8_t) e2e_peers[p];
        e2e_write_all(fd, hdr, sizeof(hdr));
    }
    rest = fz_take(&f, SIZE_MAX, &n);
    e2e_write_all(fd, rest, n);
    e2e_finish(fd, s);
    if (dial) {
        FUZZ_ASSERT(nn_shutdown(s, eid) == 0);
        e2e_drain(lfd[ipc]);
    }
    return 0;
}
