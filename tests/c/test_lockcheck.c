/* Debug builds (NN_DEBUG_LOCKS, as `make check` and `make tsan` build the
   core) abort when a function that needs the socket lock runs without it:
   the check must fire, name the function, and stay quiet when the lock is
   held. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#include "check.h"
#include "core/sock.h"

#ifdef NN_DEBUG_LOCKS
/* Run fn(s) in a child; its exit status. */
static int in_child(int h, int locked)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct nn_sock *s = nn_sock_acquire(h);
        if (!s)
            _exit(3);
        if (locked)
            nn_sock_lock(s);
        nn_sock_unclaim(s, 1);
        if (locked)
            nn_sock_unlock(s);
        nn_sock_release(s);
        _exit(0);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    return st;
}
#endif

int main(void)
{
#ifdef NN_DEBUG_LOCKS
    int h = nn_socket(AF_SP, NN_PAIR);
    CHECK(h >= 0);
    int st = in_child(h, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    st = in_child(h, 1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(nn_close(h) == 0);
#else
    printf("test_lockcheck: NN_DEBUG_LOCKS is off in this build; "
           "make check builds it on\n");
#endif
    return failures ? 1 : 0;
}
