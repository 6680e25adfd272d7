/*
 * orrery unit tests — the checks of the differential test
 * (test-memory-diff.c): a map's views and accesses against the reference,
 * failing maps minimized and reported, and random edits of a live map.
 */
#ifndef ORRERY_TEST_DIFF_CHECK_H
#define ORRERY_TEST_DIFF_CHECK_H

#include "diff-map.h"

/* --- Comparing views ------------------------------------------------------ */

/*
 * diff_world_compare:
 * @w: the map; diff_world_expect() must have rendered its reference.
 * @why: the first difference is appended here.
 *
 * Compares every address space of @w with w->view: the flat ranges per
 * address and whole, and orr_address_space_find() per address; and the
 * rendering order (the reference takes it from get_subregions(); this
 * checks it against the map's own record of priorities and mapping
 * order).
 *
 * Returns: whether all agree.
 */
bool diff_world_compare(DiffWorld *w, GString *why);

/* --- Accesses ------------------------------------------------------------- */

/*
 * diff_world_random_accesses:
 * @rand: (transfer none): where the accesses come from.
 * @why: the first failing access is appended here.
 *
 * @reads random reads, then @writes random writes, of any address space
 * of @w, checked against w->view: each byte of a read comes from what the
 * reference shows there (0 where nothing shows); each writable byte of a
 * write lands there, and no other byte of the map changes; the result is
 * the first byte's error, a decode error where nothing shows, an access
 * error where the view is readonly.
 *
 * Returns: whether every access was as predicted.
 */
bool diff_world_random_accesses(DiffWorld *w, GRand *rand, guint reads,
                                guint writes, GString *why);

/* The same for every read of every size at every address, deterministic,
 * for minimizing. */
bool diff_world_all_reads(DiffWorld *w, GString *why);

/* --- Minimizing ----------------------------------------------------------- */

/* Reports, as test messages, the failing map @failing (borrowed) under
 * the title @what: minimized if the failure reproduces from its spec
 * alone. Does not fail the test. */
void diff_report_spec(const char *what, const DiffMapSpec *failing);

/* --- Edits ---------------------------------------------------------------- */

/*
 * diff_edit_random:
 * @rand: (transfer none): where the edit comes from.
 *
 * One random change to @w's live map, or a transaction begin (at most 3
 * deep, counted in w->tx_depth) or commit. The edit is appended to
 * w->log; an outcome other than predicted is appended to w->edit_error.
 *
 * Returns: whether an outermost commit happened.
 */
bool diff_edit_random(DiffWorld *w, GRand *rand);

#endif /* ORRERY_TEST_DIFF_CHECK_H */
