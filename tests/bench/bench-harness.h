/*
 * orrery benchmarks — the timing and reporting every benchmark program
 * shares: options, calibrated batches, medians, the table and its summary.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stdbool.h>

#include <glib.h>

/*
 * How a benchmark program uses this:
 *
 *   if (!bench_parse_args("bench-x", argc, argv, NULL, 0)) return 2;
 *   bench_intro("x benchmark");
 *   bench_title("1. ..."); bench_columns("ns/op");
 *   bench_compare(base_fn, &ctx, subj_fn, &ctx, &b, &s);
 *   bench_row("case", s, b, 2.0);
 *   ...tear everything down...
 *   return bench_finish();
 *
 * Every figure is a median over bench_reps() repetitions, baseline and
 * subject interleaved, each batch calibrated to a fixed duration (20 ms,
 * 5 ms with --quick). A row over its target counts as MISS, which is
 * reported but is not an error; bench_fail() records what is broken and
 * makes the program exit 1.
 */

/* A timed kernel: runs @iters iterations of whatever it measures. It may
 * call bench_fail(). */
typedef void (*BenchFn)(void *ctx, guint64 iters);

/* An integer option a program accepts besides --quick and --reps. */
typedef struct BenchIntOption {
    const char *name; /* with its dashes: "--case" */
    int *value;       /* (transfer none): set by atoi() of the argument */
    int max;          /* the argument must lie in 0 .. max */
} BenchIntOption;

/*
 * Reads the options: --quick (3 repetitions, batches of ~5 ms), --reps N
 * (N repetitions, at least 1) and the @n_extra options in @extra, each
 * taking one argument; later options override earlier ones. @prog names
 * the program in error messages. On an unknown option, a missing
 * argument or one out of its range, prints the usage and returns false
 * (the program then exits 2).
 */
bool bench_parse_args(const char *prog, int argc, char **argv,
                      const BenchIntOption *extra, guint n_extra);

/* Whether --quick was given: a program shrinks its own sizes then. */
bool bench_quick(void);

/* The number of repetitions of each measurement. */
guint bench_reps(void);

/* Reports something broken on stderr ("<prog>: ERROR: ...") and counts
 * it; bench_finish() then returns 1. */
void bench_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* The time of one batch of @iters iterations of @fn, in ns per
 * iteration. */
double bench_ns_per_iter(BenchFn fn, void *ctx, guint64 iters);

/* The iteration count that makes one batch of @fn last about the batch
 * duration. Stops growing once a failure is recorded, so that a broken
 * kernel ends soon. */
guint64 bench_calibrate(BenchFn fn, void *ctx);

/* The median of the @n values in @v (sorted in place). */
double bench_median(double *v, guint n);

/*
 * Times @base and @subj bench_reps() times each, interleaved, @nb and @ns
 * iterations a batch; stores the medians in ns per iteration.
 */
void bench_compare_n(BenchFn base, void *base_ctx, guint64 nb, BenchFn subj,
                     void *subj_ctx, guint64 ns, double *base_ns,
                     double *subj_ns);

/* The same with each side's batches calibrated by bench_calibrate(). */
void bench_compare(BenchFn base, void *base_ctx, BenchFn subj, void *subj_ctx,
                   double *base_ns, double *subj_ns);

/* Prints the first line: "orrery <what>: median of ..., batches of ...". */
void bench_intro(const char *what);

/* Prints a case's title (which may span lines) after an empty line. */
void bench_title(const char *title);

/* Prints the column heads of a table whose values are in @unit. */
void bench_columns(const char *unit);

/*
 * Prints one row: @v against @base and their ratio, and whether the ratio
 * is within @target (PASS or MISS, counted); a @target of 0 means none.
 */
void bench_row(const char *name, double v, double base, double target);

/* Fills @off with @n random multiples of 4 below @limit (fixed @seed). */
void bench_random_offsets(guint32 *off, guint n, guint32 limit, guint32 seed);

/*
 * Ends the run, once the program has dropped everything it made: fails if
 * objects are still alive, shuts the root down, prints the PASS/MISS
 * summary and returns the exit status (1 if anything failed, else 0).
 */
int bench_finish(void);

#endif /* BENCH_HARNESS_H */
