/*
 * orrery benchmarks — timing and reporting shared by the benchmark
 * programs (see bench-harness.h and docs/performance.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orrery/orrery.h"

#include "bench-harness.h"

/* --- Settings ----------------------------------------------------------- */

static const char *prog_name = "bench"; /* NOREF: a string literal */
static bool quick;
static guint reps = 7;           /* repetitions of each measurement */
static gint64 target_us = 20000; /* aim for this long per timed batch */
static guint failures;           /* things that went wrong (exit 1) */

static void usage(const char *argv0, const BenchIntOption *extra, guint n_extra)
{
    fprintf(stderr, "usage: %s [--quick] [--reps N]", argv0);
    for (guint k = 0; k < n_extra; k++) {
        fprintf(stderr, " [%s N]", extra[k].name);
    }
    fputc('\n', stderr);
}

/* The option in @extra named @arg, or NULL. */
static const BenchIntOption *
find_option(const char *arg, const BenchIntOption *extra, guint n_extra)
{
    for (guint k = 0; k < n_extra; k++) {
        if (strcmp(arg, extra[k].name) == 0) {
            return &extra[k];
        }
    }
    return NULL;
}

bool bench_parse_args(const char *prog, int argc, char **argv,
                      const BenchIntOption *extra, guint n_extra)
{
    prog_name = prog;
    for (int i = 1; i < argc; i++) {
        const BenchIntOption *opt = find_option(argv[i], extra, n_extra);

        if (strcmp(argv[i], "--quick") == 0) {
            quick = true;
            reps = 3;
            target_us = 5000;
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            int n = atoi(argv[++i]);

            reps = (guint)MAX(n, 1);
        } else if (opt != NULL && i + 1 < argc) {
            *opt->value = atoi(argv[++i]);
            if (*opt->value < 0 || *opt->value > opt->max) {
                fprintf(stderr, "%s: %s takes 0 to %d\n", argv[0], opt->name,
                        opt->max);
                return false;
            }
        } else {
            usage(argv[0], extra, n_extra);
            return false;
        }
    }
    return true;
}

bool bench_quick(void)
{
    return quick;
}

guint bench_reps(void)
{
    return reps;
}

void bench_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "%s: ERROR: ", prog_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* --- Timing ------------------------------------------------------------- */

double bench_ns_per_iter(BenchFn fn, void *ctx, guint64 iters)
{
    gint64 t0 = g_get_monotonic_time();

    fn(ctx, iters);
    gint64 t1 = g_get_monotonic_time();
    return (double)(t1 - t0) * 1000.0 / (double)iters;
}

guint64 bench_calibrate(BenchFn fn, void *ctx)
{
    guint64 iters = 1;
    guint failed_before = failures;

    for (;;) {
        gint64 t0 = g_get_monotonic_time();
        fn(ctx, iters);
        gint64 dt = g_get_monotonic_time() - t0;

        if (failures > failed_before) {
            return 1;
        }
        if (dt >= target_us / 4 || iters >= (G_GUINT64_CONSTANT(1) << 40)) {
            double scale = (double)target_us / (double)MAX(dt, (gint64)1);
            guint64 n = (guint64)((double)iters * scale);
            return MAX(n, (guint64)1);
        }
        iters *= dt < target_us / 64 ? 8 : 2;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_median(double *v, guint n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void bench_compare_n(BenchFn base, void *base_ctx, guint64 nb, BenchFn subj,
                     void *subj_ctx, guint64 ns, double *base_ns,
                     double *subj_ns)
{
    g_autofree double *b = g_new(double, reps);
    g_autofree double *s = g_new(double, reps);

    for (guint r = 0; r < reps; r++) {
        b[r] = bench_ns_per_iter(base, base_ctx, nb);
        s[r] = bench_ns_per_iter(subj, subj_ctx, ns);
    }
    *base_ns = bench_median(b, reps);
    *subj_ns = bench_median(s, reps);
}

void bench_compare(BenchFn base, void *base_ctx, BenchFn subj, void *subj_ctx,
                   double *base_ns, double *subj_ns)
{
    guint64 nb = bench_calibrate(base, base_ctx);
    guint64 ns = bench_calibrate(subj, subj_ctx);

    bench_compare_n(base, base_ctx, nb, subj, subj_ctx, ns, base_ns, subj_ns);
}

/* --- Report ------------------------------------------------------------- */

static guint n_pass;
static guint n_miss;

void bench_intro(const char *what)
{
    printf("orrery %s: median of %u runs, batches of "
           "~%" G_GINT64_FORMAT " ms; ratio = ns/op / baseline ns/op\n",
           what, reps, target_us / 1000);
}

void bench_title(const char *title)
{
    printf("\n%s\n", title);
}

void bench_columns(const char *unit)
{
    printf("  %-34s %12s %12s %8s %8s  %s\n", "case", unit, "baseline", "ratio",
           "target", "result");
}

void bench_row(const char *name, double v, double base, double target)
{
    double ratio = v / base;
    char tbuf[16] = "-";
    const char *result = "-";

    if (target > 0) {
        bool pass = ratio <= target;

        g_snprintf(tbuf, sizeof(tbuf), "<=%.0fx", target);
        result = pass ? "PASS" : "MISS";
        if (pass) {
            n_pass++;
        } else {
            n_miss++;
        }
    }
    printf("  %-34s %12.1f %12.1f %7.2fx %8s  %s\n", name, v, base, ratio, tbuf,
           result);
    fflush(stdout);
}

/* --- Helpers and the end ------------------------------------------------ */

void bench_random_offsets(guint32 *off, guint n, guint32 limit, guint32 seed)
{
    GRand *rand = g_rand_new_with_seed(seed);

    for (guint i = 0; i < n; i++) {
        off[i] = (guint32)g_rand_int_range(rand, 0, (gint32)(limit / 4)) * 4;
    }
    g_rand_free(rand);
}

int bench_finish(void)
{
    guint live = orr_live_count(NULL);

    if (live != 0) {
        g_autofree char *report = orr_live_format_report();

        bench_fail("%u objects still alive at the end:\n%s", live,
                   report ? report : "");
    }
    orr_root_shutdown();

    printf("\ntargets: %u PASS, %u MISS (a MISS is reported, not an error)\n",
           n_pass, n_miss);
    if (failures > 0) {
        printf("%u ERRORS\n", failures);
        return 1;
    }
    return 0;
}
