/*
 * make demo: a tiny event processor whose per-event function is a hot section. Most events are
 * handled with memory taken at start-up; one kind takes a "harmless" strdup, the kind of hidden
 * allocation hotpath exists to catch. Run it under LD_PRELOAD=libhotpath.so and see the report.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <hotpath.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct event {
    int kind;
    long value;
    const char *tag;
};

static long totals[4];
static char *last_tag;

__attribute__((noinline)) static void process_event(const struct event *ev)
{
    HOTPATH_FUNCTION(); /* everything below, to the end of the function, is hot */
    totals[ev->kind & 3] += ev->value;
    if (ev->kind == 3) {
        free(last_tag);
        last_tag = strdup(ev->tag); /* the hidden allocation */
    }
}

int main(void)
{
    struct event *events = calloc(1000, sizeof *events); /* start-up: allocating is fine here */
    for (int i = 0; i < 1000; i++) {
        events[i].kind = i % 50 == 49 ? 3 : i % 3;
        events[i].value = i;
        events[i].tag = "rare";
    }
    for (int i = 0; i < 1000; i++) process_event(&events[i]);
    printf("demo: processed 1000 events, totals %ld %ld %ld %ld\n", totals[0], totals[1], totals[2], totals[3]);
    free(last_tag);
    free(events);
    return 0;
}
