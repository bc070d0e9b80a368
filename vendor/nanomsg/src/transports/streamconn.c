/* One tcp/ipc connection: the SP header exchange (1000 ms limit), then the
   connection as a pipe with framed messages both ways (see stream.h).

   Who reads the connection is one state, `rx` (enum nn_sconn_rx below),
   changed only by the nn_sconn_rx_* functions of the "receive ownership"
   section, each under `mtx`. The loop thread reads by default; a thread in
   recv may read it itself (nn_sconn_pull: a pull), which spares it the
   wake-up through the loop thread, and when it blocks it may watch the
   descriptor itself (nn_sconn_claim: the loop then watches for a hang-up
   only). `rxmtx` makes the readers take turns: whoever reads holds it, and
   nobody waits for it. The puller holds the socket lock, which a
   delivering reader may need, so it only tries; a loop thread that finds
   it taken stops watching for input (`yielded`) until the pull is over,
   rather than be woken for nothing by every arrival meanwhile.

   | from            | event   | to               | by (locks held)                 |
   |-----------------|---------|------------------|---------------------------------|
   | HS              | start   | LOOP             | loop (mtx)                      |
   | LOOP            | full    | PAUSED           | reader (rxmtx, mtx)             |
   | CLAIMED, OWED   | full    | PAUSED_CLAIMED   | reader (rxmtx, mtx)             |
   | PAUSED          | resume  | LOOP, kicked; or | protocol took a message (socket,|
   |                 |         | OWED if a        | mtx); OWED when the taker is in |
   |                 |         | receiver takes it| recv and will pull              |
   | PAUSED_CLAIMED  | resume  | OWED             | protocol (socket, mtx)          |
   | OWED            | pull    | CLAIMED          | puller (socket, rxmtx, mtx)     |
   | LOOP, CLAIMED,  | ended   | ENDED            | reader (rxmtx, mtx; a puller    |
   | OWED, PAUSED*   |         |                  | also socket, and kicks the loop)|
   | LOOP            | claim   | CLAIMED          | receiver (socket, mtx)          |
   | CLAIMED         | unclaim | LOOP             | receiver or core (socket, mtx)  |
   | OWED            | unclaim | LOOP, kicked     | receiver or core (socket, mtx)  |
   | PAUSED_CLAIMED  | unclaim | PAUSED           | receiver or core (socket, mtx)  |
   | ENDED           | eof     | DRAINING         | loop (mtx)                      |
   | any             | close   | CLOSING          | loop, pipe stopped (mtx)        |

   `reader` is the loop or a puller, whichever holds rxmtx. PAUSED* goes
   to ENDED only when keeping the unread bytes failed (ENOMEM). The loop
   reads in LOOP, CLAIMED (after a hang-up) and OWED; a puller in LOOP
   while the connection is lively (it delivered lately), CLAIMED and
   OWED; nobody in the other states. The loop watches for input in LOOP,
   for a hang-up in CLAIMED and OWED, for nothing else in the others.
   DRAINING waits for the application to take what was read (a resume
   kicks the loop to look), then the loop closes.

   A resume that comes before the pause it answers (the reader delivered,
   the queue filled, a receiver took a message, all before the reader got
   mtx back) is kept in `rx_resumed`, and that `full` leaves the state as it
   is. A claim that is refused (idle lately, paused, owed, ended) is an
   unclaim; a pull or claim refused in a state without a receiver changes
   nothing. Debug builds (NN_DEBUG_LOCKS) abort on a transition that is not
   in nn_sconn_rx_table, which is this table.

   Beside `rx`, three flags qualify it without saying who reads:
   `yielded` (the loop stepped aside for a pull: nobody watches for input
   until the pull ends; it may be set in any state, since the loop tries
   rxmtx before it looks at the state), `watched` (the descriptor is registered
   with the loop; only a hang-up while paused drops it, and the loop then
   reads on to end of stream on kicks, without a watch, and refuses pulls
   and claims), and `broken` (a write failed: the loop tears down at its
   next kick, whoever reads). They are about the descriptor and the send
   side, so they are set by the code that finds them out.

   The send side is shared: the pipe's `send` runs on the caller's thread
   and writes to the kernel itself while nothing is queued; whatever the
   kernel does not take is queued and finished by the loop thread on
   writability. `mtx` guards that queue and every field listed under it;
   it is a leaf lock, never held while calling into the core. Its flags
   (`writing`, `flush_owed`, `released`, `kick_armed`) say who writes or
   who is owed a wake-up, not who reads, and stay outside `rx`. */
#include "flushq.h"
#include "stream.h"
#include "streamcodec.h"
#include "streamq.h"
#include "../utils/netcompat.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define NN_SCONN_HS_MS 1000
/* Reads are this large so one read splits into many small messages. The
   buffer belongs to the reading thread, not to each connection: an idle
   connection holds no read buffer. */
#define NN_SCONN_RBUF 65536
/* A payload this large is read straight into its chunk. */
#define NN_SCONN_DIRECT 16384
/* Reads per readiness callback before giving other descriptors a turn. */
#define NN_SCONN_READS 16
/* Pulls in a row that found no message before receivers stop trying this
   connection (until it delivers again through the loop thread). */
#define NN_SCONN_IDLE 4

#define nn_sconn_of(ptr, member) \
    ((struct nn_sconn *) (void *) ((char *) (ptr) - \
                                   offsetof(struct nn_sconn, member)))

/* Who reads the connection (see the table above). */
enum nn_sconn_rx {
    NN_SCONN_HS,             /* header exchange: the loop */
    NN_SCONN_LOOP,           /* the loop watches and reads; recently
                                active, pulls take turns with it */
    NN_SCONN_CLAIMED,        /* receivers watch and read; the loop
                                watches for a hang-up only */
    NN_SCONN_OWED,           /* claimed, and resumed after a pause: bytes
                                kept from before it may hold whole
                                messages that no new input will announce,
                                so a pull must read before anyone polls */
    NN_SCONN_PAUSED,         /* the pipe's inbound queue is full: nobody
                                reads; the loop does after the resume */
    NN_SCONN_PAUSED_CLAIMED, /* the same, and the receivers do after it */
    NN_SCONN_ENDED,          /* a pull read end of stream or bad input:
                                nobody reads; the loop is kicked to drain */
    NN_SCONN_DRAINING,       /* the peer is gone: the connection closes
                                once the application has what was read */
    NN_SCONN_CLOSING,        /* being freed (pipe stopped, loop thread) */
    NN_SCONN_NSTATES
};

/* The events that move it, one transition function each. */
enum { NN_RXE_START, NN_RXE_FULL, NN_RXE_RESUME, NN_RXE_PULL, NN_RXE_ENDED,
       NN_RXE_CLAIM, NN_RXE_UNCLAIM, NN_RXE_EOF, NN_RXE_CLOSE };

/* What a round of reading ended with. FAIL: the input is unusable (bad
   frame, read error); BROKEN: a write failed. */
enum { NN_RX_AGAIN, NN_RX_BUDGET, NN_RX_PAUSED, NN_RX_EOF, NN_RX_FAIL,
       NN_RX_BROKEN };

struct nn_sconn {
    struct nn_stream_ep *sep;
    struct nn_list item;       /* in sep->conns */
    int fd;
    struct nn_io_fd w;
    struct nn_io_timer hs_timer;
    struct nn_io_timer kick;   /* loop-side work asked for by send/resume */
    int ipc;
    struct nn_pipe *pipe;
    int started;               /* nn_pipe_start succeeded */

    /* Header exchange: loop thread only. Receiving: under rxmtx. */
    pthread_mutex_t rxmtx;
    int rx_got;                /* delivered in the current read round */
    int rx_big;                /* the last message was read in place */
    atomic_int rx_idle;        /* pulls in a row that got no message */
    uint8_t hs_out[NN_SC_HDR_LEN];
    uint8_t hs_in[NN_SC_HDR_LEN];
    size_t hs_sent;
    size_t hs_got;
    struct nn_sc_dec dec;
    uint8_t *rbuf;             /* bytes read but not yet decoded (after a */
    size_t rpos;               /* pause), heap, or NULL */
    size_t rlen;

    pthread_mutex_t mtx;
    enum nn_sconn_rx rx;       /* who reads: nn_sconn_rx_* only */
    int rx_resumed;            /* a resume came before its pause */
    int yielded;               /* the loop found rxmtx taken by a pull */
    int watched;               /* w is registered */
    unsigned interest;
    int broken;                /* a write failed: the loop tears down */
    int kick_armed;
    int released;              /* send returned NN_PIPE_RELEASE */
    size_t sndlimit;           /* NN_SNDBUF at connection time */
    struct nn_sq q;            /* what the kernel has not taken yet */
    int flush_owed;            /* in the flush queue (fan-out, see queue) */
    int writing;               /* the loop writes a batch taken from q */
    uint64_t last_send;        /* when the last send came (ns) */
    size_t wbytes;             /* bytes of that batch, counted in SNDBUF */
    struct nn_flushq_item flush;
};

static int nn_sconn_send(struct nn_pipe *p, struct nn_msg *m);
static int nn_sconn_queue(struct nn_pipe *p, struct nn_msg *m);
static int nn_sconn_resume(struct nn_pipe *p, int claim);
static int nn_sconn_pull(struct nn_pipe *p, int rcvmaxsize);
static int nn_sconn_claim(struct nn_pipe *p, int on);
static void nn_sconn_cb(struct nn_io_fd *w, unsigned revents);

static const struct nn_pipe_ops nn_sconn_ops = {
    .send = nn_sconn_send,
    .queue = nn_sconn_queue,
    .borrows = 1,
    .resume = nn_sconn_resume,
    .pull = nn_sconn_pull,
    .claim = nn_sconn_claim,
};

/* 1 if the caller must start the kick timer (after unlocking). */
static int nn_sconn_arm_locked(struct nn_sconn *c)
{
    if (c->kick_armed)
        return 0;
    c->kick_armed = 1;
    return 1;
}

/* --- receive ownership ------------------------------------------------ */

#define NN_RXB(st) (1u << (st))
#define NN_RXB_READING (NN_RXB(NN_SCONN_LOOP) | NN_RXB(NN_SCONN_CLAIMED) | \
                        NN_RXB(NN_SCONN_OWED))
#define NN_RXB_PAUSED (NN_RXB(NN_SCONN_PAUSED) | \
                       NN_RXB(NN_SCONN_PAUSED_CLAIMED))

#ifdef NN_DEBUG_LOCKS
/* The table of the header comment: on `ev`, a state in `from` may move to
   one in `to`. */
static const struct {
    int ev;
    unsigned from;
    unsigned to;
} nn_sconn_rx_table[] = {
    { NN_RXE_START, NN_RXB(NN_SCONN_HS), NN_RXB(NN_SCONN_LOOP) },
    { NN_RXE_FULL, NN_RXB(NN_SCONN_LOOP), NN_RXB(NN_SCONN_PAUSED) },
    { NN_RXE_FULL, NN_RXB(NN_SCONN_CLAIMED) | NN_RXB(NN_SCONN_OWED),
      NN_RXB(NN_SCONN_PAUSED_CLAIMED) },
    { NN_RXE_RESUME, NN_RXB(NN_SCONN_PAUSED),
      NN_RXB(NN_SCONN_LOOP) | NN_RXB(NN_SCONN_OWED) },
    { NN_RXE_RESUME, NN_RXB(NN_SCONN_PAUSED_CLAIMED), NN_RXB(NN_SCONN_OWED) },
    { NN_RXE_PULL, NN_RXB(NN_SCONN_OWED), NN_RXB(NN_SCONN_CLAIMED) },
    { NN_RXE_ENDED, NN_RXB_READING | NN_RXB_PAUSED, NN_RXB(NN_SCONN_ENDED) },
    { NN_RXE_CLAIM, NN_RXB(NN_SCONN_LOOP), NN_RXB(NN_SCONN_CLAIMED) },
    { NN_RXE_UNCLAIM, NN_RXB(NN_SCONN_CLAIMED) | NN_RXB(NN_SCONN_OWED),
      NN_RXB(NN_SCONN_LOOP) },
    { NN_RXE_UNCLAIM, NN_RXB(NN_SCONN_PAUSED_CLAIMED),
      NN_RXB(NN_SCONN_PAUSED) },
    { NN_RXE_EOF, NN_RXB(NN_SCONN_ENDED), NN_RXB(NN_SCONN_DRAINING) },
    { NN_RXE_CLOSE, ~0u, NN_RXB(NN_SCONN_CLOSING) },
};

static const char *const nn_sconn_rx_names[NN_SCONN_NSTATES] = {
    "HS", "LOOP", "CLAIMED", "OWED", "PAUSED", "PAUSED_CLAIMED", "ENDED",
    "DRAINING", "CLOSING"
};
static const char *const nn_sconn_rxe_names[] = {
    "start", "full", "resume", "pull", "ended", "claim", "unclaim", "eof",
    "close"
};

static void nn_sconn_rx_check(struct nn_sconn *c, int ev,
                              enum nn_sconn_rx to)
{
    size_t i;

    /* Not proof that this thread holds mtx, but a lock that nobody holds
       is caught. */
    if (pthread_mutex_trylock(&c->mtx) == 0) {
        fprintf(stderr, "nanomsg: connection state changed on %s without "
                "its lock\n", nn_sconn_rxe_names[ev]);
        abort();
    }
    for (i = 0; i < sizeof(nn_sconn_rx_table) / sizeof(nn_sconn_rx_table[0]);
         i++)
        if (nn_sconn_rx_table[i].ev == ev &&
            (nn_sconn_rx_table[i].from & NN_RXB(c->rx)) &&
            (nn_sconn_rx_table[i].to & NN_RXB(to)))
            return;
    fprintf(stderr, "nanomsg: connection state %s cannot go to %s on %s\n",
            nn_sconn_rx_names[c->rx], nn_sconn_rx_names[to],
            nn_sconn_rxe_names[ev]);
    abort();
}
#endif

/* mtx held: the only store to c->rx. Atomic because the loop thread peeks
   at it without mtx (nn_sconn_in_hs); the lock orders everything else. */
static void nn_sconn_rx_move(struct nn_sconn *c, int ev, enum nn_sconn_rx to)
{
#ifdef NN_DEBUG_LOCKS
    nn_sconn_rx_check(c, ev, to);
#else
    (void) ev;
#endif
    __atomic_store_n(&c->rx, to, __ATOMIC_RELAXED);
}

/* Loop thread, no lock: is the header exchange still on? Only this thread
   ends it. */
static int nn_sconn_in_hs(struct nn_sconn *c)
{
    return __atomic_load_n(&c->rx, __ATOMIC_RELAXED) == NN_SCONN_HS;
}

static int nn_sconn_rx_paused(enum nn_sconn_rx st)
{
    return (NN_RXB(st) & (NN_RXB_PAUSED | NN_RXB(NN_SCONN_DRAINING))) != 0;
}

/* Has the connection delivered lately? A receiver pulls or claims only
   such a one, so that a blocking recv costs no reads for nothing. */
static int nn_sconn_lively(struct nn_sconn *c)
{
    return atomic_load_explicit(&c->rx_idle, memory_order_relaxed) <
           NN_SCONN_IDLE;
}

/* Loop thread: the header exchange is over. */
static void nn_sconn_rx_start(struct nn_sconn *c)
{
    nn_sconn_rx_move(c, NN_RXE_START, NN_SCONN_LOOP);
}

/* The reader (rxmtx held) delivered and the inbound queue is full. 1 when
   reading must pause; 0 when the resume has come already. */
static int nn_sconn_rx_full(struct nn_sconn *c)
{
    if (c->rx_resumed) {
        c->rx_resumed = 0;
        return 0;
    }
    nn_sconn_rx_move(c, NN_RXE_FULL, c->rx == NN_SCONN_LOOP
                                         ? NN_SCONN_PAUSED
                                         : NN_SCONN_PAUSED_CLAIMED);
    return 1;
}

/* The queue has room again (socket lock held). Bytes may wait in rbuf with
   nothing more to come from the kernel: someone must look at them, not
   just wait for input. Receivers that claimed the connection (or take it
   now: `claim`) will pull (OWED); should they give it back first, the
   loop is kicked then. Sets *kick when the loop must be kicked now;
   returns 1 when the connection is claimed. */
static int nn_sconn_rx_resume(struct nn_sconn *c, int claim, int *kick)
{
    switch (c->rx) {
    case NN_SCONN_DRAINING:
        /* Maybe the last message was taken: the loop checks. */
        *kick = nn_sconn_arm_locked(c);
        return 0;
    case NN_SCONN_PAUSED:
        if (!claim || !c->watched || c->broken) {
            nn_sconn_rx_move(c, NN_RXE_RESUME, NN_SCONN_LOOP);
            *kick = nn_sconn_arm_locked(c);
            return 0;
        }
        /* fall through */
    case NN_SCONN_PAUSED_CLAIMED:
        nn_sconn_rx_move(c, NN_RXE_RESUME, NN_SCONN_OWED);
        return 1;
    default:
        c->rx_resumed = 1;   /* before its pause: see nn_sconn_rx_full */
        return 0;
    }
}

/* A puller holds rxmtx: may it read? One that owes a read pays it now. */
static int nn_sconn_rx_pull(struct nn_sconn *c)
{
    if (!c->watched || c->broken)
        return 0;
    switch (c->rx) {
    case NN_SCONN_LOOP:
        return nn_sconn_lively(c);
    case NN_SCONN_OWED:
        nn_sconn_rx_move(c, NN_RXE_PULL, NN_SCONN_CLAIMED);
        return 1;
    case NN_SCONN_CLAIMED:
        return 1;
    default:
        return 0;
    }
}

/* The reader (rxmtx held) read end of stream or input it cannot use:
   nobody reads again (the decoder must not be used again), the loop
   drains. Set before rxmtx goes, so that no pull gets in between. */
static void nn_sconn_rx_ended(struct nn_sconn *c)
{
    nn_sconn_rx_move(c, NN_RXE_ENDED, NN_SCONN_ENDED);
}

/* Receivers (socket lock held) take the watching over (`on`), keep it, or
   give it back. The descriptor while claimed, else -1. Sets *kick when the
   loop must read in their place. */
static int nn_sconn_rx_claim(struct nn_sconn *c, int on, int *kick)
{
    if (on && c->watched && !c->broken &&
        (c->rx == NN_SCONN_CLAIMED ||
         (c->rx == NN_SCONN_LOOP && nn_sconn_lively(c)))) {
        if (c->rx == NN_SCONN_LOOP)
            nn_sconn_rx_move(c, NN_RXE_CLAIM, NN_SCONN_CLAIMED);
        return c->fd;
    }
    switch (c->rx) {
    case NN_SCONN_OWED:
        /* What rbuf holds is the loop's to decode now. */
        *kick = nn_sconn_arm_locked(c);
        /* fall through */
    case NN_SCONN_CLAIMED:
        nn_sconn_rx_move(c, NN_RXE_UNCLAIM, NN_SCONN_LOOP);
        break;
    case NN_SCONN_PAUSED_CLAIMED:
        nn_sconn_rx_move(c, NN_RXE_UNCLAIM, NN_SCONN_PAUSED);
        break;
    default:
        break;
    }
    return -1;
}

/* Loop thread: the peer is gone, as the last reader found. */
static void nn_sconn_rx_eof(struct nn_sconn *c)
{
    nn_sconn_rx_move(c, NN_RXE_EOF, NN_SCONN_DRAINING);
}

/* Loop thread, the pipe stopped: nothing reads or resumes again. */
static void nn_sconn_rx_close(struct nn_sconn *c)
{
    nn_sconn_rx_move(c, NN_RXE_CLOSE, NN_SCONN_CLOSING);
}

/* --- helpers ---------------------------------------------------------- */

/* What the loop watches the descriptor for, from who reads. */
static void nn_sconn_interest_locked(struct nn_sconn *c)
{
    unsigned ev = 0;

    if (!c->watched)
        return;
    switch (c->rx) {
    case NN_SCONN_HS:
        ev = NN_IO_IN | (c->hs_sent < NN_SC_HDR_LEN ? NN_IO_OUT : 0);
        break;
    case NN_SCONN_LOOP:
        ev = c->yielded ? 0 : NN_IO_IN;
        break;
    case NN_SCONN_CLAIMED:
    case NN_SCONN_OWED:
        /* The receivers read, but a hang-up must still be seen while none
           is in recv. */
        ev = c->yielded ? 0 : NN_IO_RDHUP;
        break;
    default:
        break;   /* nobody reads */
    }
    if (c->rx != NN_SCONN_HS && c->q.len > 0)
        ev |= NN_IO_OUT;
    if (ev != c->interest) {
        c->interest = ev;
        nn_io_fd_set(&c->w, ev);
    }
}

/* --- teardown --------------------------------------------------------- */

/* Loop thread. `stat` is NN_STAT_BROKEN_CONNECTIONS or _DROPPED_. */
static void nn_sconn_close(struct nn_sconn *c, int stat)
{
    struct nn_stream_ep *sep = c->sep;

    /* First the pipe: once stopped, no send can touch the descriptor. */
    if (c->started)
        nn_pipe_stop(c->pipe);
    pthread_mutex_lock(&c->mtx);
    nn_sconn_rx_close(c);
    pthread_mutex_unlock(&c->mtx);
    nn_io_timer_cancel(&c->hs_timer);
    nn_io_timer_cancel(&c->kick);
    nn_flushq_remove(&c->flush);
    if (c->watched)
        nn_io_fd_del(&c->w);
    /* Closed by our side (socket or endpoint closing): what is still queued
       (fan-out leaves it to this thread) goes to the kernel if it takes it
       now; nothing waits for it. */
    if (stat == NN_STAT_DROPPED_CONNECTIONS && !c->broken && c->q.len > 0)
        (void) nn_sq_flush(&c->q, c->fd);
    close(c->fd);
    nn_sq_term(&c->q);
    nn_sc_dec_term(&c->dec);
    free(c->rbuf);
    nn_list_remove(&c->item);
    pthread_mutex_destroy(&c->mtx);
    pthread_mutex_destroy(&c->rxmtx);
    if (c->pipe != NULL)
        nn_pipe_unref(c->pipe);
    free(c);
    nn_sock_stat(sep->sock, stat, 1);
    if (stat == NN_STAT_BROKEN_CONNECTIONS)
        nn_stream_conn_ended(sep);
}

static void nn_sconn_fail(struct nn_sconn *c)
{
    nn_sconn_close(c, NN_STAT_BROKEN_CONNECTIONS);
}

void nn_sconn_drop_all(struct nn_stream_ep *sep)
{
    struct nn_list *it;
    struct nn_list *tmp;

    nn_list_foreach(it, tmp, &sep->conns)
        nn_sconn_close(nn_list_entry(it, struct nn_sconn, item),
                       NN_STAT_DROPPED_CONNECTIONS);
}

/* --- receiving (loop thread) ------------------------------------------ */

/* Hand the decoded message to the core. 1 when reading must pause. */
static int nn_sconn_deliver(struct nn_sconn *c)
{
    struct nn_msg m;
    int paused;

    c->rx_big = c->dec.len >= NN_SCONN_DIRECT;
    nn_msg_init_chunk(&m, nn_sc_dec_take(&c->dec));
    c->rx_got = 1;
    atomic_store_explicit(&c->rx_idle, 0, memory_order_relaxed);
    if (nn_pipe_deliver(c->pipe, &m) == 0)
        return 0;
    pthread_mutex_lock(&c->mtx);
    paused = nn_sconn_rx_full(c);
    if (paused)
        nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    return paused;
}

static pthread_key_t nn_sconn_scratch_key;
static pthread_once_t nn_sconn_scratch_once = PTHREAD_ONCE_INIT;
static int nn_sconn_scratch_ok;

static void nn_sconn_scratch_init(void)
{
    nn_sconn_scratch_ok =
        pthread_key_create(&nn_sconn_scratch_key, free) == 0;
}

/* The calling (I/O) thread's read buffer; freed when the thread ends. */
static uint8_t *nn_sconn_scratch(void)
{
    uint8_t *buf;

    pthread_once(&nn_sconn_scratch_once, nn_sconn_scratch_init);
    if (!nn_sconn_scratch_ok)
        return NULL;
    buf = pthread_getspecific(nn_sconn_scratch_key);
    if (buf == NULL) {
        buf = malloc(NN_SCONN_RBUF);
        if (buf != NULL &&
            pthread_setspecific(nn_sconn_scratch_key, buf) != 0) {
            free(buf);
            buf = NULL;
        }
    }
    return buf;
}

/* Decode buf[*pos..len) into messages. 0 when all was used, NN_RX_PAUSED
   (the rest stays) or NN_RX_FAIL. */
static int nn_sconn_feed(struct nn_sconn *c, const uint8_t *buf, size_t len,
                         size_t *pos, int64_t maxsize)
{
    size_t used;
    int rc;

    while (*pos < len) {
        rc = nn_sc_dec_feed(&c->dec, buf + *pos, len - *pos, maxsize, &used);
        *pos += used;
        if (rc < 0)
            return NN_RX_FAIL;
        if (rc == NN_SC_MSG && nn_sconn_deliver(c))
            return NN_RX_PAUSED;
    }
    return 0;
}

/* Decode the bytes kept from before a pause. */
static int nn_sconn_feed_kept(struct nn_sconn *c, int64_t maxsize)
{
    int rc;

    if (c->rbuf == NULL)
        return 0;
    rc = nn_sconn_feed(c, c->rbuf, c->rlen, &c->rpos, maxsize);
    if (c->rpos == c->rlen) {
        free(c->rbuf);
        c->rbuf = NULL;
    }
    return rc;
}

/* Keep buf[pos..len) for after the pause. */
static int nn_sconn_keep(struct nn_sconn *c, const uint8_t *buf, size_t len,
                         size_t pos)
{
    if (pos == len)
        return 0;
    c->rbuf = malloc(len - pos);
    if (c->rbuf == NULL)
        return -1;
    memcpy(c->rbuf, buf + pos, len - pos);
    c->rpos = 0;
    c->rlen = len - pos;
    return 0;
}

/* Read the rest of a large payload straight into its chunk. When the read
   can finish the payload it also takes the next message's prefix, and no
   more: a run of large messages then costs one read each and no copy,
   while small messages after it are read in bulk again. *n is read's
   result; returns 0 or an NN_RX_ code that ends the round. */
static int nn_sconn_rx_direct(struct nn_sconn *c, int hup, int64_t maxsize,
                              ssize_t *n, int *drained)
{
    uint8_t next[NN_SC_PFX_MAX];
    struct iovec iov[2];
    size_t room;
    size_t pos = 0;
    size_t more;
    int cnt = 1;
    int rc;

    iov[0].iov_base = nn_sc_dec_space(&c->dec, &room);
    if (iov[0].iov_base == NULL)
        return NN_RX_FAIL;
    iov[0].iov_len = room;
    if (room == nn_sc_dec_missing(&c->dec)) {
        iov[1].iov_base = next;
        iov[1].iov_len = c->dec.pfxlen;
        cnt = 2;
    }
    *n = readv(c->fd, iov, cnt);
    if (*n <= 0)
        return 0;
    *drained = !hup && (size_t) *n < room + (cnt == 2 ? c->dec.pfxlen : 0);
    if ((size_t) *n <= room) {
        rc = nn_sc_dec_commit(&c->dec, (size_t) *n);
        if (rc == NN_SC_MSG && nn_sconn_deliver(c))
            return NN_RX_PAUSED;
        /* Caught up with the sender inside a message: acknowledge now.
           With Nagle on (the default) the sender holds the message's short
           last segment until all it sent is acknowledged, and a delayed
           ACK would stall the message 40 ms. */
        if (rc != NN_SC_MSG && *drained && !c->ipc)
            nn_tcp_quickack(c->fd);
        return 0;
    }
    more = (size_t) *n - room;
    nn_sc_dec_commit(&c->dec, room);
    rc = nn_sconn_deliver(c) ? NN_RX_PAUSED
                             : nn_sconn_feed(c, next, more, &pos, maxsize);
    if (rc == NN_RX_PAUSED && nn_sconn_keep(c, next, more, pos) < 0)
        return NN_RX_FAIL;
    return rc;
}

/* `hup`: the peer hung up or the socket has an error: read on to the end
   of stream (or the error) instead of trusting a short read. `once`: stop
   after the first read that completed a message (rx_got cleared before):
   a pulling reader takes one message at a time, so that the inbound queue
   does not fill, which would pause reading and need the loop thread to
   resume it. */
static int nn_sconn_rx(struct nn_sconn *c, int hup, int once,
                       int64_t maxsize)
{
    int reads = 0;
    int drained = 0;
    size_t pos;
    uint8_t *p;
    ssize_t n;
    int rc;

    rc = nn_sconn_feed_kept(c, maxsize);
    if (rc != 0)
        return rc;
    for (;;) {
        if (drained)
            return NN_RX_AGAIN;
        if (once && c->rx_got)
            return NN_RX_BUDGET;
        if (reads++ == NN_SCONN_READS)
            return NN_RX_BUDGET;
        /* A large payload is read in place to its very end: through the
           staging buffer, the read of its last bytes would also take the
           start of the next (likely large) message, to be copied out. */
        if (nn_sc_dec_missing(&c->dec) > 0 &&
            c->dec.len >= NN_SCONN_DIRECT) {
            rc = nn_sconn_rx_direct(c, hup, maxsize, &n, &drained);
            if (rc != 0)
                return rc;
            if (n > 0)
                continue;
        } else if (c->rx_big && c->dec.pfxgot < c->dec.pfxlen) {
            /* After a large message the next is likely large too: its
               prefix alone, so that its payload is read in place rather
               than through the staging buffer and copied. */
            uint8_t pfx[NN_SC_PFX_MAX];
            size_t want = (size_t) (c->dec.pfxlen - c->dec.pfxgot);
            n = read(c->fd, pfx, want);
            if (n > 0) {
                pos = 0;
                rc = nn_sconn_feed(c, pfx, (size_t) n, &pos, maxsize);
                if (rc != 0)
                    return rc;   /* nothing is left over to keep */
                drained = !hup && (size_t) n < want;
                continue;
            }
        } else {
            p = nn_sconn_scratch();
            if (p == NULL)
                return NN_RX_FAIL;
            n = read(c->fd, p, NN_SCONN_RBUF);
            if (n > 0) {
                pos = 0;
                rc = nn_sconn_feed(c, p, (size_t) n, &pos, maxsize);
                if (rc == NN_RX_PAUSED &&
                    nn_sconn_keep(c, p, (size_t) n, pos) < 0)
                    return NN_RX_FAIL;
                if (rc != 0)
                    return rc;
                /* A short read almost surely emptied the socket. */
                drained = !hup && n < NN_SCONN_RBUF;
                continue;
            }
        }
        if (n == 0)
            return NN_RX_EOF;    /* peer closed (or half-closed) */
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return NN_RX_AGAIN;
        return NN_RX_FAIL;
    }
}

/* A read round on the loop thread. `hup`: the descriptor reported an
   error or hang-up; one that reading does not report would wake us
   forever, so it counts as unusable input. */
static int nn_sconn_rx_loop(struct nn_sconn *c, int hup)
{
    enum nn_sconn_rx st;
    int64_t maxsize;
    int broken;
    int rc;

    if (pthread_mutex_trylock(&c->rxmtx) != 0) {
        pthread_mutex_lock(&c->mtx);
        c->yielded = 1;
        nn_sconn_interest_locked(c);
        pthread_mutex_unlock(&c->mtx);
        /* The pull may have ended before it could see `yielded`. */
        if (pthread_mutex_trylock(&c->rxmtx) != 0)
            return NN_RX_PAUSED;
        pthread_mutex_lock(&c->mtx);
        c->yielded = 0;
        nn_sconn_interest_locked(c);
        pthread_mutex_unlock(&c->mtx);
    }
    /* A pull may have paused reading (reading on would pause again after
       the resume already came, and stall) or ended it. */
    pthread_mutex_lock(&c->mtx);
    st = c->rx;
    broken = c->broken;
    pthread_mutex_unlock(&c->mtx);
    if (broken) {
        rc = NN_RX_BROKEN;
    } else if (st == NN_SCONN_ENDED) {
        rc = NN_RX_EOF;
    } else if (!(NN_RXB(st) & NN_RXB_READING)) {
        rc = NN_RX_PAUSED;
    } else {
        /* Only now: a puller holds the socket lock while it reads. */
        maxsize = nn_sock_getopt_int(c->sep->sock, NN_SOL_SOCKET,
                                     NN_RCVMAXSIZE);
        rc = nn_sconn_rx(c, hup, 0, maxsize);
        if (rc == NN_RX_AGAIN && hup)
            rc = NN_RX_FAIL;
        if (rc == NN_RX_FAIL || rc == NN_RX_EOF) {
            pthread_mutex_lock(&c->mtx);
            nn_sconn_rx_ended(c);
            nn_sconn_interest_locked(c);
            pthread_mutex_unlock(&c->mtx);
        }
    }
    pthread_mutex_unlock(&c->rxmtx);
    return rc;
}

/* --- the pipe ops (socket lock held, any thread) ----------------------- */

/* `direct`: write on the caller's thread while nothing is queued (send);
   else queue and let the loop write on writability (queue). */
static int nn_sconn_put(struct nn_pipe *p, struct nn_msg *m, int direct)
{
    nn_pipe_assert_locked(p);
    struct nn_sconn *c = nn_pipe_tdata(p);
    struct nn_sq_item e;
    struct iovec iov[3];
    size_t total;
    ssize_t n = 0;
    int cnt = 0;
    int kick = 0;
    int flush = 0;
    int rc = 0;

    nn_sq_frame(&e, m, c->ipc);
    pthread_mutex_lock(&c->mtx);
    if (c->broken) {
        nn_msg_term(&e.m);
        goto out;
    }
    if (direct && c->q.len == 0 && !c->writing) {
        total = nn_sq_gather(&e, 0, iov, &cnt);
        n = nn_sq_write(c->fd, iov, cnt);
        if (n >= 0 && (size_t) n == total) {
            nn_msg_term(&e.m);
            goto out;
        }
        if (n < 0 && n != -EAGAIN)
            goto broken;
        if (n < 0)
            n = 0;
    }
    if (nn_sq_push(&c->q, &e, (size_t) n) < 0)
        goto broken;
    /* Without a watch (after a hang-up) nobody else would write the queue;
       on such a socket this fails and ends the connection. */
    if (!c->watched && !c->writing && nn_sq_flush(&c->q, c->fd) < 0) {
        c->broken = 1;
        kick = nn_sconn_arm_locked(c);
        goto out;
    }
    /* Queued for the loop's next round, unless it is waiting for room
       anyway (then writability brings it here). */
    if (!direct && !c->flush_owed && !(c->interest & NN_IO_OUT)) {
        c->flush_owed = 1;
        flush = 1;
    }
    if (!flush)
        nn_sconn_interest_locked(c);
    if (c->q.bytes + c->wbytes > c->sndlimit) {
        c->released = 1;
        rc = NN_PIPE_RELEASE;
    }
    goto out;
broken:
    /* Part of a message may be on the wire: the stream is unusable. */
    nn_msg_term(&e.m);
    c->broken = 1;
    kick = nn_sconn_arm_locked(c);
out:
    pthread_mutex_unlock(&c->mtx);
    if (kick)
        nn_io_timer_start(&c->kick, 0);
    /* Still inside the pipe op: nn_pipe_stop waits for us, so the
       connection cannot be closed before it is in the queue. */
    if (flush)
        nn_flushq_add(&c->flush);
    return rc;
}

/* A send this soon after the previous one is part of a burst:
   it is queued for the I/O thread, which writes everything queued
   meanwhile with one writev. A lone message (nothing sent this recently,
   as in any request/reply exchange) is still written at once by the
   sending thread, so only bursts pay the hand-over. */
#define NN_SCONN_BURST_NS 4000

static uint64_t nn_sconn_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int nn_sconn_send(struct nn_pipe *p, struct nn_msg *m)
{
    struct nn_sconn *c = nn_pipe_tdata(p);
    uint64_t now = nn_sconn_now_ns();
    int direct = now - c->last_send >= NN_SCONN_BURST_NS;
    c->last_send = now;
    return nn_sconn_put(p, m, direct);
}

static int nn_sconn_queue(struct nn_pipe *p, struct nn_msg *m)
{
    return nn_sconn_put(p, m, 0);
}

static int nn_sconn_resume(struct nn_pipe *p, int claim)
{
    nn_pipe_assert_locked(p);
    struct nn_sconn *c = nn_pipe_tdata(p);
    int claimed;
    int kick = 0;

    pthread_mutex_lock(&c->mtx);
    claimed = nn_sconn_rx_resume(c, claim, &kick);
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (kick)
        nn_io_timer_start(&c->kick, 0);
    return claimed;
}

/* Only a connection that delivered lately is tried (or one the receivers
   watch), so that a blocking recv costs no reads for nothing. What ends the
   connection is left to the loop thread (it owns teardown): a failure or
   end of stream is flagged for it and it is kicked. */
static int nn_sconn_pull(struct nn_pipe *p, int rcvmaxsize)
{
    nn_pipe_assert_locked(p);
    struct nn_sconn *c = nn_pipe_tdata(p);
    int rc = NN_RX_AGAIN;
    int kick = 0;
    int kept;
    int got = 0;
    int ok;

    if (pthread_mutex_trylock(&c->rxmtx) != 0)
        return 0;
    pthread_mutex_lock(&c->mtx);
    ok = nn_sconn_rx_pull(c);
    pthread_mutex_unlock(&c->mtx);
    if (ok) {
        c->rx_got = 0;
        rc = nn_sconn_rx(c, 0, 1, rcvmaxsize);
        got = c->rx_got;
        if (!got)
            atomic_fetch_add_explicit(&c->rx_idle, 1, memory_order_relaxed);
    }
    kept = c->rbuf != NULL;
    if (rc == NN_RX_FAIL || rc == NN_RX_EOF) {
        pthread_mutex_lock(&c->mtx);
        nn_sconn_rx_ended(c);
        nn_sconn_interest_locked(c);
        kick = nn_sconn_arm_locked(c);
        pthread_mutex_unlock(&c->mtx);
    }
    pthread_mutex_unlock(&c->rxmtx);
    pthread_mutex_lock(&c->mtx);
    if (c->yielded) {
        /* Hand reading back to the loop: by watching for input, or by a
           kick for bytes kept from before a pause (no input may come) and
           when it reads without a watch (after a hang-up). */
        c->yielded = 0;
        if (kept || !c->watched)
            kick |= nn_sconn_arm_locked(c);
        nn_sconn_interest_locked(c);
    }
    pthread_mutex_unlock(&c->mtx);
    if (kick)
        nn_io_timer_start(&c->kick, 0);
    return got;
}

static int nn_sconn_claim(struct nn_pipe *p, int on)
{
    nn_pipe_assert_locked(p);
    struct nn_sconn *c = nn_pipe_tdata(p);
    int kick = 0;
    int owed = 0;
    int fd;

    /* The loop thread reading now would leave the descriptor readable
       while pulls cannot get in: the waiter would spin. It will deliver
       and wake the waiter instead. */
    if (on) {
        if (pthread_mutex_trylock(&c->rxmtx) != 0)
            on = 0;
        else
            pthread_mutex_unlock(&c->rxmtx);
    }
    pthread_mutex_lock(&c->mtx);
    /* Our brief hold of rxmtx may have made the loop give up its read
       round (`yielded`), which only the end of a pull undoes otherwise. */
    if (c->yielded) {
        c->yielded = 0;
        kick = nn_sconn_arm_locked(c);
    }
    fd = nn_sconn_rx_claim(c, on, &owed);
    kick |= owed;
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (kick)
        nn_io_timer_start(&c->kick, 0);
    return fd;
}

/* --- loop callbacks --------------------------------------------------- */

/* End of stream from the peer. The connection stays until the application
   has received what was already read (a write error still ends it at once,
   so a peer that is gone for good is noticed by the next send). */
static void nn_sconn_eof(struct nn_sconn *c)
{
    pthread_mutex_lock(&c->mtx);
    nn_sconn_rx_eof(c);
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (nn_pipe_eof(c->pipe))
        nn_sconn_fail(c);
}

/* What to do after a round of reading on an active connection. Input
   that went bad ends the connection like end of stream, once the messages
   read before it are taken: they arrived whole. */
static void nn_sconn_after_rx(struct nn_sconn *c, int rc)
{
    if (rc == NN_RX_BROKEN)
        nn_sconn_fail(c);
    else if (rc == NN_RX_FAIL || rc == NN_RX_EOF)
        nn_sconn_eof(c);
}

static void nn_sconn_kick_cb(struct nn_io_timer *t)
{
    struct nn_sconn *c = nn_sconn_of(t, kick);
    enum nn_sconn_rx st;
    int broken;
    int rc;
    int again = 0;

    pthread_mutex_lock(&c->mtx);
    c->kick_armed = 0;
    broken = c->broken;
    st = c->rx;
    pthread_mutex_unlock(&c->mtx);
    if (broken) {
        nn_sconn_fail(c);
        return;
    }
    if (st == NN_SCONN_DRAINING) {
        if (nn_pipe_eof(c->pipe))
            nn_sconn_fail(c);
        return;
    }
    if (st == NN_SCONN_ENDED) {   /* by a pull */
        nn_sconn_eof(c);
        return;
    }
    if (!(NN_RXB(st) & NN_RXB_READING))
        return;
    rc = nn_sconn_rx_loop(c, 0);
    if (rc == NN_RX_FAIL || rc == NN_RX_BROKEN || rc == NN_RX_EOF ||
        rc == NN_RX_PAUSED) {
        nn_sconn_after_rx(c, rc);
        return;
    }
    pthread_mutex_lock(&c->mtx);
    if (!c->watched) {
        /* Reading without a watch after a hang-up (see nn_sconn_cb). */
        if (rc == NN_RX_BUDGET) {
            again = nn_sconn_arm_locked(c);
        } else if (nn_io_fd_add(&c->w, c->fd, NN_IO_IN, nn_sconn_cb) == 0) {
            c->watched = 1;
            c->interest = NN_IO_IN;
        }
    }
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    if (again)
        nn_io_timer_start(&c->kick, 0);
}

static void nn_sconn_hs_timeout(struct nn_io_timer *t)
{
    nn_sconn_fail(nn_sconn_of(t, hs_timer));
}

static void nn_sconn_established(struct nn_sconn *c)
{
    struct nn_stream_ep *sep = c->sep;
    int type = nn_sc_hdr_parse(c->hs_in);

    if (type < 0 || !nn_sock_peer_ok(sep->sock, type)) {
        nn_sconn_fail(c);
        return;
    }
    nn_io_timer_cancel(&c->hs_timer);
    c->pipe = nn_pipe_new(sep->ep, &nn_sconn_ops, c);
    if (c->pipe == NULL) {
        nn_sconn_fail(c);
        return;
    }
    pthread_mutex_lock(&c->mtx);
    nn_sconn_rx_start(c);
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    /* Refused (PAIR already paired, socket closing): the peer sees the
       connection close right after the header exchange. */
    if (nn_pipe_start(c->pipe) < 0) {
        nn_sconn_fail(c);
        return;
    }
    c->started = 1;
}

static void nn_sconn_hs_io(struct nn_sconn *c, unsigned revents)
{
    ssize_t n;

    if (c->hs_sent < NN_SC_HDR_LEN) {
        n = nn_send_nosig(c->fd, c->hs_out + c->hs_sent,
                          NN_SC_HDR_LEN - c->hs_sent);
        if (n > 0)
            c->hs_sent += (size_t) n;
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                 errno != EINTR)
            goto fail;
    }
    if (c->hs_got < NN_SC_HDR_LEN) {
        /* Exactly the header: what follows belongs to the message reader. */
        n = recv(c->fd, c->hs_in + c->hs_got, NN_SC_HDR_LEN - c->hs_got, 0);
        if (n > 0)
            c->hs_got += (size_t) n;
        else if (n == 0)
            goto fail;
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            goto fail;
        else if (revents & NN_IO_ERR)
            goto fail;
    }
    if (c->hs_sent == NN_SC_HDR_LEN && c->hs_got == NN_SC_HDR_LEN) {
        nn_sconn_established(c);
        return;
    }
    pthread_mutex_lock(&c->mtx);
    nn_sconn_interest_locked(c);
    pthread_mutex_unlock(&c->mtx);
    return;
fail:
    nn_sconn_fail(c);
}

/* Loop thread, mtx held (released meanwhile): write what is queued. The
   batch is taken out of the queue and written without the lock, so that
   senders (a publisher with many subscribers) keep queueing behind it
   instead of waiting for the system call. Whatever the kernel did not take
   goes back in front of what was queued meanwhile. */
static void nn_sconn_write_batch(struct nn_sconn *c)
{
    struct nn_sq batch = c->q;
    int rc;

    nn_sq_init(&c->q);
    c->writing = 1;
    c->wbytes = batch.bytes;
    pthread_mutex_unlock(&c->mtx);
    rc = nn_sq_flush(&batch, c->fd);
    pthread_mutex_lock(&c->mtx);
    c->writing = 0;
    c->wbytes = 0;
    if (rc < 0 || nn_sq_prepend(&c->q, &batch) < 0) {
        nn_sq_term(&batch);
        c->broken = 1;
    } else if (!c->watched && c->q.len > 0 && nn_sq_flush(&c->q, c->fd) < 0) {
        /* Unwatched (after a hang-up), nobody else writes what senders
           queued meanwhile (see nn_sconn_put). */
        c->broken = 1;
    }
}

/* Loop thread: write what is queued; -1 if the connection broke (the
   caller fails it). A released pipe is flushed and made writable under
   the socket lock (see nn_pipe_lock); `released` only goes from 0 to 1
   under the socket lock, so it can be read first. `flushq`: called by
   the flush queue, which has let go of the connection's item. */
static int nn_sconn_write_out(struct nn_sconn *c, int flushq)
{
    int ready = 0;
    int locked;
    int broken;

    pthread_mutex_lock(&c->mtx);
    locked = c->released;
    pthread_mutex_unlock(&c->mtx);
    if (locked)
        nn_pipe_lock(c->pipe);
    pthread_mutex_lock(&c->mtx);
    if (flushq)
        c->flush_owed = 0;
    if (!c->broken && c->q.len > 0)
        nn_sconn_write_batch(c);
    if (c->released && !c->broken && c->q.bytes <= c->sndlimit) {
        c->released = 0;
        ready = 1;
    }
    nn_sconn_interest_locked(c);
    broken = c->broken;
    pthread_mutex_unlock(&c->mtx);
    /* Not locked: a send released the pipe meanwhile. */
    if (ready && locked)
        nn_pipe_ready_locked(c->pipe);
    else if (ready)
        nn_pipe_ready(c->pipe);
    if (locked)
        nn_pipe_unlock(c->pipe);
    return broken ? -1 : 0;
}

/* The flush queue's turn (see nn_sconn_queue). */
static void nn_sconn_flush_cb(struct nn_flushq_item *it)
{
    struct nn_sconn *c = (struct nn_sconn *) (void *)
        ((char *) it - offsetof(struct nn_sconn, flush));
    if (nn_sconn_write_out(c, 1) != 0)
        nn_sconn_fail(c);
}

static void nn_sconn_cb(struct nn_io_fd *w, unsigned revents)
{
    struct nn_sconn *c = nn_sconn_of(w, w);
    int broken;
    int paused;

    if (nn_sconn_in_hs(c)) {
        nn_sconn_hs_io(c, revents);
        return;
    }
    if ((revents & NN_IO_OUT) && nn_sconn_write_out(c, 0) != 0) {
        nn_sconn_fail(c);
        return;
    }
    if (!(revents & (NN_IO_IN | NN_IO_ERR)))
        return;
    pthread_mutex_lock(&c->mtx);
    paused = nn_sconn_rx_paused(c->rx);
    if (paused && (revents & NN_IO_ERR) && c->watched) {
        /* A hang-up is reported whatever the interest, so it would wake
           us forever while we may not read. The bytes the peer sent
           before hanging up are still readable: drop the watch and let
           the resume kick read on until end of stream. */
        nn_io_fd_del(&c->w);
        c->watched = 0;
        if (c->q.len > 0 && nn_sq_flush(&c->q, c->fd) < 0)
            c->broken = 1;
    }
    broken = c->broken;
    pthread_mutex_unlock(&c->mtx);
    if (broken) {
        nn_sconn_fail(c);
        return;
    }
    if (paused)
        return;
    nn_sconn_after_rx(c, nn_sconn_rx_loop(c, (revents & NN_IO_ERR) != 0));
}

int nn_sconn_start(struct nn_stream_ep *sep, int fd)
{
    struct nn_sconn *c = calloc(1, sizeof(*c));

    if (c == NULL || pthread_mutex_init(&c->mtx, NULL) != 0) {
        free(c);
        close(fd);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&c->rxmtx, NULL) != 0) {
        pthread_mutex_destroy(&c->mtx);
        free(c);
        close(fd);
        return -ENOMEM;
    }
    c->sep = sep;
    c->fd = fd;
    c->ipc = sep->vt->ipc;
    c->rx = NN_SCONN_HS;
    c->sndlimit = (size_t) nn_sock_getopt_int(sep->sock, NN_SOL_SOCKET,
                                              NN_SNDBUF);
    nn_sc_hdr_build(c->hs_out, nn_sock_type(sep->sock));
    nn_sc_dec_init(&c->dec, c->ipc);
    nn_sq_init(&c->q);
    nn_io_timer_init(&c->hs_timer, nn_sconn_hs_timeout);
    nn_io_timer_init(&c->kick, nn_sconn_kick_cb);
    nn_flushq_item_init(&c->flush, nn_sconn_flush_cb);
    /* Both sides send their header at once; the first writability event
       sends ours. */
    c->interest = NN_IO_IN | NN_IO_OUT;
    if (nn_io_fd_add(&c->w, fd, c->interest, nn_sconn_cb) < 0) {
        pthread_mutex_destroy(&c->mtx);
        pthread_mutex_destroy(&c->rxmtx);
        free(c);
        close(fd);
        return -ENOMEM;
    }
    c->watched = 1;
    nn_list_push(&sep->conns, &c->item);
    nn_io_timer_start(&c->hs_timer, NN_SCONN_HS_MS);
    return 0;
}
