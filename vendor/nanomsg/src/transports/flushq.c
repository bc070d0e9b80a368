#include "flushq.h"

#include <pthread.h>

#include "../io/loop.h"

static void flushq_run(struct nn_io_timer *t);

/* Leaf lock: nothing else is taken while it is held. */
static pthread_mutex_t fq_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct nn_list fq_items = { &fq_items, &fq_items };
static struct nn_io_timer fq_timer = {
    0, flushq_run, { &fq_timer.item, &fq_timer.item }
};

void nn_flushq_item_init(struct nn_flushq_item *it,
                         void (*fn)(struct nn_flushq_item *it))
{
    nn_list_init(&it->item);
    it->fn = fn;
}

void nn_flushq_add(struct nn_flushq_item *it)
{
    pthread_mutex_lock(&fq_mtx);
    int first = nn_list_empty(&fq_items);
    nn_list_push(&fq_items, &it->item);
    pthread_mutex_unlock(&fq_mtx);
    /* Only the first item wakes the loop; the others ride along. */
    if (first)
        nn_io_timer_start(&fq_timer, 0);
}

void nn_flushq_remove(struct nn_flushq_item *it)
{
    pthread_mutex_lock(&fq_mtx);
    if (nn_list_linked(&it->item))
        nn_list_remove(&it->item);
    pthread_mutex_unlock(&fq_mtx);
}

/* Takes the items one at a time, so that an owner closing meanwhile (on
   this thread, between two fns) finds its item in the queue or gone, never
   in a batch held here. Items added while running are served in the same
   round only up to the count seen at the start; the rest get a new round,
   so senders cannot keep the loop here forever. */
static void flushq_run(struct nn_io_timer *t)
{
    (void) t;
    size_t budget = 0;
    struct nn_list *it;

    pthread_mutex_lock(&fq_mtx);
    for (it = fq_items.next; it != &fq_items; it = it->next)
        budget++;
    pthread_mutex_unlock(&fq_mtx);
    for (; budget > 0; budget--) {
        pthread_mutex_lock(&fq_mtx);
        if (nn_list_empty(&fq_items)) {
            pthread_mutex_unlock(&fq_mtx);
            return;
        }
        it = fq_items.next;
        nn_list_remove(it);
        pthread_mutex_unlock(&fq_mtx);
        struct nn_flushq_item *f = nn_list_entry(it, struct nn_flushq_item,
                                                 item);
        f->fn(f);
    }
    pthread_mutex_lock(&fq_mtx);
    int more = !nn_list_empty(&fq_items);
    pthread_mutex_unlock(&fq_mtx);
    if (more)
        nn_io_timer_start(&fq_timer, 0);
}
