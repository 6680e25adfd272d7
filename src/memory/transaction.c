/*
 * orrery memory — transactions: changes to the map are noted, and address
 * spaces are updated once, when the outermost transaction commits (at
 * once outside a transaction).
 *
 * An update can itself change the map: releasing an old flat view may
 * finalize a region, whose finalize unmaps what it held. Such changes set
 * the pending flag again and the update loop runs until the map is quiet.
 */
#include "memory-internal.h"

static guint depth;   /* nesting of open transactions */
static bool pending;  /* the map changed since the last update */
static bool updating; /* inside run_updates() */

static void run_updates(void)
{
    g_assert(!updating);
    updating = true;
    while (pending) {
        pending = false;
        orr__address_spaces_update();
    }
    updating = false;
}

void orr__memory_changed(void)
{
    pending = true;
    if (depth == 0 && !updating) {
        run_updates();
    }
}

void orr_memory_transaction_begin(void)
{
    depth++;
}

void orr_memory_transaction_commit(void)
{
    g_return_if_fail(depth > 0);
    if (--depth == 0 && pending && !updating) {
        run_updates();
    }
}
