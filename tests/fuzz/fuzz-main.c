/*
 * A driver for libFuzzer targets without libFuzzer: runs the target over
 * files, and over seeded random inputs, so that any compiler can run it.
 *
 * Usage: fuzz-memory-run [--random N] [--seed S] [--max-len L]
 *                        [--write DIR] [FILE|DIR]...
 * Each FILE is one input; a DIR gives every file in it, in name order.
 * Then N random inputs: input i is L or fewer bytes from seed S + i, so
 * "--random 1 --seed S+i" runs it alone and --write saves it as
 * DIR/random-<seed>. A failing input aborts the run, naming the input.
 */
#include <glib.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input being run, for the abort handler (written before each run). */
static char current[512];

static void on_abort(int sig)
{
    static const char head[] = "fuzz-main: the failing input: ";

    if (write(STDERR_FILENO, head, sizeof(head) - 1) >= 0 &&
        write(STDERR_FILENO, current, strlen(current)) >= 0) {
        (void)!write(STDERR_FILENO, "\n", 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void run(const char *name, const uint8_t *data, size_t len)
{
    g_strlcpy(current, name, sizeof(current));
    LLVMFuzzerTestOneInput(data, len);
}

static int run_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "fuzz-main: %s\n", err->message);
        return 1;
    }
    run(path, (const uint8_t *)data, len);
    return 0;
}

static int run_dir(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = g_dir_open(path, 0, &err);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    int rc = 0;

    if (dir == NULL) {
        fprintf(stderr, "fuzz-main: %s\n", err->message);
        return 1;
    }
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR)) {
            rc |= run_file(names->pdata[i]);
        }
    }
    return rc;
}

static int run_random(guint count, guint32 seed, guint max_len,
                      const char *write_dir)
{
    g_autofree uint8_t *buf = g_malloc(max_len + 1);

    for (guint i = 0; i < count; i++) {
        guint32 s = seed + i;
        g_autoptr(GRand) rand = g_rand_new_with_seed(s);
        guint len = (guint)g_rand_int_range(rand, 0, (gint32)max_len + 1);
        char name[64];

        for (guint j = 0; j < len; j++) {
            buf[j] = (uint8_t)g_rand_int(rand);
        }
        g_snprintf(name, sizeof(name), "random-%u", s);
        if (write_dir != NULL) {
            g_autoptr(GError) err = NULL;
            g_autofree char *path = g_build_filename(write_dir, name, NULL);
            if (!g_file_set_contents(path, (const char *)buf, len, &err)) {
                fprintf(stderr, "fuzz-main: %s\n", err->message);
                return 1;
            }
        }
        g_snprintf(name, sizeof(name), "--random 1 --seed %u", s);
        run(name, buf, len);
    }
    return 0;
}

int main(int argc, char **argv)
{
    gint count = 0, seed = 1, max_len = 1024;
    g_autofree char *write_dir = NULL;
    GOptionEntry entries[] = {
        {"random", 0, 0, G_OPTION_ARG_INT, &count, "random inputs to run", "N"},
        {"seed", 0, 0, G_OPTION_ARG_INT, &seed, "seed of the first", "S"},
        {"max-len", 0, 0, G_OPTION_ARG_INT, &max_len,
         "longest random input (bytes)", "L"},
        {"write", 0, 0, G_OPTION_ARG_FILENAME, &write_dir,
         "save each random input in DIR", "DIR"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[FILE|DIR]...");
    g_autoptr(GError) err = NULL;
    int rc = 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || count < 0 ||
        max_len < 0) {
        fprintf(stderr, "fuzz-main: %s\n",
                err ? err->message : "counts cannot be negative");
        return 2;
    }
    signal(SIGABRT, on_abort);
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        rc |= g_file_test(argv[i], G_FILE_TEST_IS_DIR) ? run_dir(argv[i])
                                                       : run_file(argv[i]);
    }
    rc |= run_random((guint)count, (guint32)seed, (guint)max_len, write_dir);
    printf("fuzz-main: %d files or directories, %d random inputs: %s\n",
           argc - 1, count, rc ? "errors" : "ok");
    return rc;
}
