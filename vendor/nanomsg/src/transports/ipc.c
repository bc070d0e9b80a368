/* ipc:// transport: Unix-domain stream sockets named by a filesystem path.
   Connections, accept loop and reconnects are the stream engine's. */
#include "stream.h"
#include "../../include/nanomsg/ipc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../utils/netcompat.h"

#define NN_IPC_BACKLOG 10

struct nn_ipc_ep {
    struct sockaddr_un sa;
    socklen_t salen;
    int owns_file;   /* bound to a path we must unlink when stopped */
    dev_t dev;       /* identity of that file, so we never unlink a */
    ino_t ino;       /* newer one someone else put at the same path */
};

static int nn_ipc_addr(const char *path, struct nn_ipc_ep *ie)
{
    size_t len = strlen(path);

    /* libnanomsg asserts here; an error is kinder. */
    if (len >= sizeof(ie->sa.sun_path))
        return -ENAMETOOLONG;
    memset(&ie->sa, 0, sizeof(ie->sa));
    ie->sa.sun_family = AF_UNIX;
    memcpy(ie->sa.sun_path, path, len);
    /* An empty path binds with the bare family: Linux then autobinds, as
       libnanomsg ends up doing. */
    ie->salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) +
                             (len > 0 ? len + 1 : 0));
    return 0;
}

static int nn_ipc_socket(void)
{
    return nn_socket_nb(AF_UNIX, SOCK_STREAM, 0);
}

static void nn_ipc_setopts(struct nn_stream_ep *sep, int fd)
{
    nn_stream_setbufs(sep, fd);
}

static int nn_ipc_dial(struct nn_stream_ep *sep, int *fdp)
{
    const struct nn_ipc_ep *ie = sep->tdata;
    int fd = nn_ipc_socket();
    int rc;

    if (fd < 0)
        return -errno;
    nn_ipc_setopts(sep, fd);
    if (connect(fd, (const struct sockaddr *) &ie->sa, ie->salen) == 0) {
        *fdp = fd;
        return 0;
    }
    if (errno == EINPROGRESS) {
        *fdp = fd;
        return -EINPROGRESS;
    }
    /* Includes EAGAIN (listener backlog full): retried with backoff. */
    rc = -errno;
    close(fd);
    return rc;
}

static void nn_ipc_unlink(struct nn_ipc_ep *ie)
{
    struct stat st;

    if (ie->owns_file && lstat(ie->sa.sun_path, &st) == 0 &&
        st.st_dev == ie->dev && st.st_ino == ie->ino)
        (void) unlink(ie->sa.sun_path);
    ie->owns_file = 0;
}

static void nn_ipc_stopped(struct nn_stream_ep *sep)
{
    struct nn_ipc_ep *ie = sep->tdata;

    if (ie != NULL)
        nn_ipc_unlink(ie);
    free(ie);
    sep->tdata = NULL;
}

static const struct nn_stream_vt nn_ipc_vt = {
    .ipc = 1,
    .setopts = nn_ipc_setopts,
    .dial = nn_ipc_dial,
    .stopped = nn_ipc_stopped,
};

/* Something is at the path. A listener answering means the address is in
   use; a refused connection means a stale socket file (or any other
   file), which is removed, as libnanomsg does. */
static int nn_ipc_reclaim(const struct nn_ipc_ep *ie)
{
    int fd = nn_ipc_socket();
    int rc;
    int err;

    if (fd < 0)
        return -errno;
    rc = connect(fd, (const struct sockaddr *) &ie->sa, ie->salen);
    err = errno;
    close(fd);
    if (rc == 0 || err == EAGAIN || err == EINPROGRESS)
        return -EADDRINUSE;
    if (err == ECONNREFUSED)
        (void) unlink(ie->sa.sun_path);
    return 0;
}

static int nn_ipc_bind(struct nn_ep *ep)
{
    struct nn_ipc_ep *ie = calloc(1, sizeof(*ie));
    struct stat st;
    int fd = -1;
    int rc;

    if (ie == NULL)
        return -ENOMEM;
    rc = nn_ipc_addr(ep->rest, ie);
    if (rc == 0 && ie->sa.sun_path[0] != 0)
        rc = nn_ipc_reclaim(ie);
    if (rc < 0)
        goto fail;
    fd = nn_ipc_socket();
    if (fd < 0 ||
        bind(fd, (const struct sockaddr *) &ie->sa, ie->salen) < 0) {
        rc = -errno;
        goto fail;
    }
    if (ie->sa.sun_path[0] != 0 && stat(ie->sa.sun_path, &st) == 0) {
        ie->owns_file = 1;
        ie->dev = st.st_dev;
        ie->ino = st.st_ino;
    }
    if (listen(fd, NN_IPC_BACKLOG) < 0) {
        rc = -errno;
        goto fail;
    }
    rc = nn_stream_listen(ep, &nn_ipc_vt, ie, &fd, 1);
    fd = -1;
    if (rc == 0)
        return 0;
fail:
    if (fd >= 0)
        close(fd);
    nn_ipc_unlink(ie);
    free(ie);
    return rc;
}

static int nn_ipc_connect(struct nn_ep *ep)
{
    struct nn_ipc_ep *ie = calloc(1, sizeof(*ie));
    int rc;

    if (ie == NULL)
        return -ENOMEM;
    rc = nn_ipc_addr(ep->rest, ie);
    if (rc == 0)
        rc = nn_stream_dial(ep, &nn_ipc_vt, ie);
    if (rc < 0)
        free(ie);
    return rc;
}

/* Buffer sizes and security attributes are for Windows' named pipes in
   libnanomsg; they are kept and read back, as there, and used for nothing.
   The sizes take any int and a longer optvallen, as the reference does. */
static const struct nn_topt nn_ipc_opts[] = {
    { NN_IPC_SEC_ATTR, NN_TOPT_PTR, 0, 0, 0, 0 },
    { NN_IPC_OUTBUFSZ, NN_TOPT_INT, -0x7fffffff - 1, 0x7fffffff, 4096, 0 },
    { NN_IPC_INBUFSZ, NN_TOPT_INT, -0x7fffffff - 1, 0x7fffffff, 4096, 0 },
};

const struct nn_transport nn_ipc_transport = {
    .scheme = "ipc",
    .id = NN_IPC,
    .opts = nn_ipc_opts,
    .nopts = sizeof(nn_ipc_opts) / sizeof(nn_ipc_opts[0]),
    .bind = nn_ipc_bind,
    .connect = nn_ipc_connect,
    .stop = nn_stream_stop,
};
