/* A listener that runs out of descriptors pauses instead of spinning on
   the pending connection, and accepts it once descriptors are free again:
   the stream engine's accept loop, shared by tcp, ipc and ws. */
#include <errno.h>
#include <sys/resource.h>
#include <sys/un.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#include "netutil.h"

enum { TCP, IPC, WS };
static const char *const names[] = {"tcp", "ipc", "ws"};

#define MAXDUPS 4096

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A plain socket connecting to the listener at `port` or `path`. */
static int raw_peer(int tr, int port, const char *path, int fd)
{
    struct sockaddr_in sin;
    struct sockaddr_un sun;

    if (tr == IPC) {
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        return connect(fd, (struct sockaddr *) &sun, sizeof(sun));
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t) port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return connect(fd, (struct sockaddr *) &sin, sizeof(sin));
}

static void run(int tr)
{
    static int dups[MAXDUPS];
    char addr[128], path[96], buf[16];
    struct rlimit old, low;
    int f0 = failures, port = 0, n = 0, fd;
    int pull = timed_socket(NN_PULL), push = timed_socket(NN_PUSH);
    uint64_t errs;
    long long t0;

    if (tr == IPC) {
        snprintf(path, sizeof(path), "/tmp/nnpause-%d.ipc", (int) getpid());
        unlink(path);
        snprintf(addr, sizeof(addr), "ipc://%s", path);
    } else {
        port = free_port();
        snprintf(addr, sizeof(addr), "%s://127.0.0.1:%d", names[tr], port);
    }
    CHECK(nn_bind(pull, addr) >= 0);
    fd = socket(tr == IPC ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);

    /* Every descriptor taken, then a connection waits in the backlog. */
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    if (low.rlim_cur > 1024)
        low.rlim_cur = 1024;
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    while (n < MAXDUPS && (dups[n] = dup(fd)) >= 0)
        n++;
    CHECK(n < MAXDUPS && errno == EMFILE);
    t0 = now_ms();
    CHECK(raw_peer(tr, port, path, fd) == 0);
    CHECK(stat_reaches(pull, NN_STAT_ACCEPT_ERRORS, 1, 3000));
    /* Paused: one attempt per 100 ms (the slack is for a loaded machine),
       not one per loop round (thousands). */
    sleep_ms(300);
    errs = nn_get_statistic(pull, NN_STAT_ACCEPT_ERRORS);
    CHECK(errs >= 1 && (long long) errs <= (now_ms() - t0) / 100 + 4);
    CHECK(nn_get_statistic(pull, NN_STAT_ACCEPTED_CONNECTIONS) == 0);

    /* Descriptors again: the waiting connection is taken, and the
       listener serves a real peer. */
    while (n > 0)
        close(dups[--n]);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
    CHECK(stat_reaches(pull, NN_STAT_ACCEPTED_CONNECTIONS, 1, 3000));
    CHECK(nn_connect(push, addr) >= 0);
    CHECK(nn_send(push, "after", 5, 0) == 5);
    CHECK(nn_recv(pull, buf, sizeof(buf), 0) == 5 && memcmp(buf, "after", 5) == 0);
    CHECK(nn_get_statistic(pull, NN_STAT_ACCEPTED_CONNECTIONS) == 2);

    close(fd);
    CHECK(nn_close(push) == 0);
    CHECK(nn_close(pull) == 0);
    if (tr == IPC)
        unlink(path);
    printf("-- %s: %s (%llu accept errors)\n", names[tr],
           failures == f0 ? "ok" : "FAILED", (unsigned long long) errs);
}

int main(void)
{
    run(TCP);
    run(IPC);
    run(WS);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_accept_pause: all checks passed\n");
    return 0;
}
