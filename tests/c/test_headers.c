/* test_headers.c - the public headers: everything is declared, with the
   agreed types, values and struct layouts.  Nearly all checks happen at
   compile time; the program only has to build and run.  (That each header
   also compiles alone, as C and C++, is checked by `make check-headers`.) */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>

/* Include guards: a second round must be harmless. */
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/ws.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " == " #b)

/* Prototype check without referencing the symbol (the controlling
   expression of _Generic is never evaluated, so nothing gets linked). */
#define PROTO(fn, type) \
    _Static_assert(_Generic(&fn, type: 1, default: 0), #fn " has type " #type)

PROTO(nn_errno, int (*)(void));
PROTO(nn_strerror, const char *(*)(int));
PROTO(nn_symbol, const char *(*)(int, int *));
PROTO(nn_symbol_info, int (*)(int, struct nn_symbol_properties *, int));
PROTO(nn_term, void (*)(void));
PROTO(nn_allocmsg, void *(*)(size_t, int));
PROTO(nn_reallocmsg, void *(*)(void *, size_t));
PROTO(nn_freemsg, int (*)(void *));
PROTO(nn_cmsg_nxthdr_, struct nn_cmsghdr *(*)(const struct nn_msghdr *,
                                              const struct nn_cmsghdr *));
PROTO(nn_socket, int (*)(int, int));
PROTO(nn_close, int (*)(int));
PROTO(nn_setsockopt, int (*)(int, int, int, const void *, size_t));
PROTO(nn_getsockopt, int (*)(int, int, int, void *, size_t *));
PROTO(nn_bind, int (*)(int, const char *));
PROTO(nn_connect, int (*)(int, const char *));
PROTO(nn_shutdown, int (*)(int, int));
PROTO(nn_send, int (*)(int, const void *, size_t, int));
PROTO(nn_recv, int (*)(int, void *, size_t, int));
PROTO(nn_sendmsg, int (*)(int, const struct nn_msghdr *, int));
PROTO(nn_recvmsg, int (*)(int, struct nn_msghdr *, int));
PROTO(nn_poll, int (*)(struct nn_pollfd *, int, int));
PROTO(nn_device, int (*)(int, int));
PROTO(nn_get_statistic, uint64_t (*)(int, int));

/* Version and limits. */
SAME(NN_VERSION_CURRENT, 5);
SAME(NN_VERSION_REVISION, 1);
SAME(NN_VERSION_AGE, 0);
SAME(NN_HAUSNUMERO, 156384712);
SAME(NN_MSG, (size_t) -1);
SAME(NN_SOCKADDR_MAX, 128);

/* Library errors: fixed, whatever the platform. */
SAME(ETERM, 156384765);
SAME(EFSM, 156384766);
SAME(EACCESS, EACCES);

/* Domains, protocols, transports. */
SAME(AF_SP, 1);
SAME(AF_SP_RAW, 2);
SAME(NN_PAIR, 16);
SAME(NN_PUB, 32);
SAME(NN_SUB, 33);
SAME(NN_REQ, 48);
SAME(NN_REP, 49);
SAME(NN_PUSH, 80);
SAME(NN_PULL, 81);
SAME(NN_SURVEYOR, 98);
SAME(NN_RESPONDENT, 99);
SAME(NN_BUS, 112);
SAME(NN_INPROC, -1);
SAME(NN_IPC, -2);
SAME(NN_TCP, -3);
SAME(NN_WS, -4);

/* Options. */
SAME(NN_SOL_SOCKET, 0);
SAME(NN_LINGER, 1);
SAME(NN_RCVMAXSIZE, 16);
SAME(NN_MAXTTL, 17);
SAME(NN_SUB_SUBSCRIBE, 1);
SAME(NN_SUB_UNSUBSCRIBE, 2);
SAME(NN_REQ_RESEND_IVL, 1);
SAME(NN_SURVEYOR_DEADLINE, 1);
SAME(NN_IPC_SEC_ATTR, 1);
SAME(NN_IPC_OUTBUFSZ, 2);
SAME(NN_IPC_INBUFSZ, 3);
SAME(NN_TCP_NODELAY, 1);
SAME(NN_WS_MSG_TYPE, 1);
SAME(NN_WS_MSG_TYPE_TEXT, 1);
SAME(NN_WS_MSG_TYPE_BINARY, 2);

/* Flags, events, ancillary data. */
SAME(NN_DONTWAIT, 1);
SAME(NN_POLLIN, 1);
SAME(NN_POLLOUT, 2);
SAME(PROTO_SP, 1);
SAME(SP_HDR, 1);

/* Symbol-table vocabulary. */
SAME(NN_NS_STATISTIC, 14);
SAME(NN_TYPE_STR, 2);
SAME(NN_UNIT_MESSAGES, 5);
SAME(NN_UNIT_COUNTER, 6);

/* Statistics. */
SAME(NN_STAT_ESTABLISHED_CONNECTIONS, 101);
SAME(NN_STAT_ACCEPT_ERRORS, 107);
SAME(NN_STAT_CURRENT_CONNECTIONS, 201);
SAME(NN_STAT_CURRENT_EP_ERRORS, 203);
SAME(NN_STAT_MESSAGES_SENT, 301);
SAME(NN_STAT_BYTES_RECEIVED, 304);
SAME(NN_STAT_CURRENT_SND_PRIORITY, 401);

/* Struct layouts (member order is ABI). */
SAME(offsetof(struct nn_iovec, iov_base), 0);
SAME(offsetof(struct nn_iovec, iov_len), sizeof(void *));
SAME(offsetof(struct nn_msghdr, msg_iov), 0);
SAME(offsetof(struct nn_cmsghdr, cmsg_len), 0);
SAME(offsetof(struct nn_cmsghdr, cmsg_level), sizeof(size_t));
SAME(offsetof(struct nn_cmsghdr, cmsg_type), sizeof(size_t) + sizeof(int));
SAME(offsetof(struct nn_pollfd, fd), 0);
SAME(offsetof(struct nn_pollfd, events), sizeof(int));
SAME(offsetof(struct nn_pollfd, revents), sizeof(int) + sizeof(short));
SAME(offsetof(struct nn_symbol_properties, value), 0);

#if UINTPTR_MAX == 0xffffffffffffffffu
SAME(sizeof(struct nn_iovec), 16);
SAME(sizeof(struct nn_msghdr), 32);
SAME(offsetof(struct nn_msghdr, msg_iovlen), 8);
SAME(offsetof(struct nn_msghdr, msg_control), 16);
SAME(offsetof(struct nn_msghdr, msg_controllen), 24);
SAME(sizeof(struct nn_cmsghdr), 16);
SAME(sizeof(struct nn_pollfd), 8);
SAME(sizeof(struct nn_symbol_properties), 32);
SAME(offsetof(struct nn_symbol_properties, name), 8);
SAME(offsetof(struct nn_symbol_properties, ns), 16);
SAME(offsetof(struct nn_symbol_properties, type), 20);
SAME(offsetof(struct nn_symbol_properties, unit), 24);
SAME(NN_CMSG_SPACE(0), 16);
SAME(NN_CMSG_SPACE(1), 24);
SAME(NN_CMSG_SPACE(8), 24);
SAME(NN_CMSG_LEN(1), 17);
#endif

int main(void)
{
    nn_req_handle h;

    /* The union exists and has both members. */
    h.i = 1;
    h.ptr = &h;
    if (h.ptr != &h) {
        fprintf(stderr, "test_headers: nn_req_handle broken\n");
        return 1;
    }
    return 0;
}
