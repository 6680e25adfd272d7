/*
 * orrery host — the host's hooks (see host.h): the binding built in, its
 * safe points, the leak report, and the monitor's info commands.
 */
#include <stdio.h>
#include <string.h>
#include <lualib.h>
#include "binding.h"
#include "host-config.h"
#include "host.h"
#include "repl.h"

/* orrery/test.lua, embedded at build time (scripts/embed-lua.py). */
extern const char orr_lua_test_module[];
extern const size_t orr_lua_test_module_len;

static int load_test_module(lua_State *L)
{
    if (luaL_loadbuffer(L, orr_lua_test_module, orr_lua_test_module_len,
                        "=orrery/test.lua") != 0) {
        return lua_error(L);
    }
    lua_call(L, 0, 1);
    return 1;
}

static void add_candidate(const char *name, void *data)
{
    orr_repl_candidates_add(data, name);
}

/* Tab and help(obj) on an object proxy: its fields and methods. */
static void complete_proxy(lua_State *L, int obj, char sep,
                           OrrReplCandidates *out, void *data)
{
    orr_lua_proxy_names(L, obj, add_candidate, out);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Object paths in string literals: the children of the path before the
 * last '/' whose names start with what follows it ("/m/ua" -> "uart0"). */
static GPtrArray *complete_path(const char *text, size_t *start)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *slash = strrchr(text, '/');
    const char *part = slash ? slash + 1 : text;
    char *dir = slash ? g_strndup(text, (gsize)(slash - text)) : NULL;
    OrrObject *parent;

    *start = (size_t)(part - text);
    if (dir == NULL || *dir == '\0') {
        parent = orr_root(); /* "/x" or a bare "x" */
    } else {
        parent = orr_object_resolve_path(dir, NULL, NULL);
    }
    g_free(dir);
    if (parent == NULL) {
        return names;
    }
    GPtrArray *kids = orr_object_get_children(parent);
    for (guint i = 0; i < kids->len; i++) {
        const char *name = orr_object_get_name(kids->pdata[i]);
        if (name != NULL && g_str_has_prefix(name, part)) {
            g_ptr_array_add(names, g_strdup(name));
        }
    }
    g_ptr_array_unref(kids);
    g_ptr_array_sort(names, compare_strings);
    return names;
}

/* Puts the device library (scripts/orrery/NAME.lua, require("orrery.NAME"))
 * on package.path: the installed copy, then the source tree's for a build
 * run in place. LUA_PATH and package.path changes still come first. */
static void add_library_path(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s;%s/?.lua;%s/?.lua", lua_tostring(L, -1),
                    ORR_LUA_DIR_INSTALLED, ORR_LUA_DIR_BUILD);
    lua_setfield(L, -3, "path");
    lua_pop(L, 2);
}

void orr_host_open_libs(lua_State *L)
{
    orr_repl_add_completer(complete_proxy, NULL);
    orr_repl_set_path_completer(complete_path);
    orr_repl_set_describer(orr_lua_describe_proxy);
    luaL_openlibs(L);
    add_library_path(L);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_orrery);
    lua_setfield(L, -2, "orrery");
    lua_pushcfunction(L, load_test_module);
    lua_setfield(L, -2, "orrery.test");
    lua_pop(L, 2);
}

void orr_host_safe_point(lua_State *L)
{
    orr_lua_drain();
}

/*
 * Before lua_close: unparent what the script left under the root, collect
 * and release until nothing more goes, then report what is still alive,
 * with the holders of each reference.
 */
int orr_host_leak_check(lua_State *L, OrrLeakCheck mode)
{
    GPtrArray *roots = orr_object_get_children(orr_root());

    for (guint i = roots->len; i-- > 0;) {
        orr_object_unparent(roots->pdata[i]);
    }
    g_ptr_array_unref(roots);
    orr_lua_collect(L);

    char *report = orr_live_format_report();
    if (report == NULL) {
        return 0;
    }
    char *paths = orr_lua_leak_paths(L);
    fprintf(stderr, "orrery: %s: objects still alive at exit:\n%s%s",
            mode == ORR_LEAK_CHECK_FATAL ? "error" : "warning", report,
            paths ? paths : "");
    g_free(paths);
    g_free(report);

    /* Cut every Lua state and collect again: what goes now was kept by a
     * C <-> Lua cycle through a state table; what stays is a C leak. */
    guint before = orr_live_count(NULL);
    orr_lua_drop_states(L);
    orr_lua_collect(L);
    guint after = orr_live_count(NULL);
    fprintf(stderr,
            "orrery: with every Lua state table dropped, %u of them were "
            "freed (C <-> Lua cycles through a state) and %u remain (held "
            "from the Lua values named above, or leaked in C)\n",
            before - after, after);
    return 1;
}

/* info mtree [-f] [-o] [-D]: every address space, as QEMU's monitor. */
static void info_mtree(const char *args)
{
    OrrMtreeFlags flags = 0;
    char **words = g_strsplit_set(args, " \t", -1);

    for (char **w = words; *w != NULL; w++) {
        if (**w == '\0') {
            continue;
        } else if (strcmp(*w, "-f") == 0) {
            flags |= ORR_MTREE_FLAT;
        } else if (strcmp(*w, "-o") == 0) {
            flags |= ORR_MTREE_OWNERS;
        } else if (strcmp(*w, "-D") == 0) {
            flags |= ORR_MTREE_DISABLED;
        } else {
            fprintf(stderr,
                    "info mtree: unknown option '%s' "
                    "(-f flat view, -o owners, -D disabled)\n",
                    *w);
            g_strfreev(words);
            return;
        }
    }
    g_strfreev(words);

    /* The registry lists objects NOREF; format each before the next. */
    GPtrArray *spaces = orr_live_list(ORR_TYPE_ADDRESS_SPACE);
    for (guint i = 0; i < spaces->len; i++) {
        OrrLiveInfo *info = spaces->pdata[i];
        char *text = orr_address_space_format_mtree(
            (OrrAddressSpace *)info->object, flags);
        fputs(text, stdout);
        g_free(text);
    }
    if (spaces->len == 0) {
        puts("(no address spaces)");
    }
    g_ptr_array_unref(spaces);
}

void orr_host_info(lua_State *L, const char *args)
{
    if (g_str_has_prefix(args, "mtree") &&
        (args[5] == '\0' || g_ascii_isspace(args[5]))) {
        info_mtree(args + 5);
    } else if (g_str_has_prefix(args, "qom-tree")) {
        char *text = orr_object_format_tree(orr_root());
        fputs(text, stdout);
        g_free(text);
    } else {
        fprintf(stderr,
                "info: unknown command '%s' (info mtree [-f] [-o] "
                "[-D], info qom-tree)\n",
                args);
    }
    fflush(stdout);
}
