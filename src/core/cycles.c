/*
 * orrery core — the cycle finder over the strong-reference graph.
 *
 * Every reference is recorded with its holder, so the graph needs no
 * cooperation from the layers: an edge runs from the holding object to
 * the object whose count it raises. By construction only edges between
 * sibling subtrees can close a cycle; this finds those that exist. It
 * computes the strongly connected components (Tarjan) and reports, for
 * each component that has a cycle, its shortest cycle through the
 * component's oldest object.
 */
#include "core-internal.h"

typedef struct Edge {
    OrrObject *from; /* NOREF: graph of live objects, read only */
    OrrObject *to;
    const OrrHolderRecord *rec;
} Edge;

typedef struct Graph {
    GPtrArray *nodes;  /* OrrObject*, creation order */
    GHashTable *index; /* OrrObject* -> node index + 1 */
    GArray *edges;     /* Edge */
    GPtrArray *out;    /* per node: GArray of edge indices */
} Graph;

static guint node_of(Graph *g, OrrObject *obj)
{
    gpointer v = g_hash_table_lookup(g->index, obj);

    if (v == NULL) {
        g_ptr_array_add(g->nodes, obj);
        g_ptr_array_add(g->out, g_array_new(FALSE, FALSE, sizeof(guint)));
        v = GUINT_TO_POINTER(g->nodes->len);
        g_hash_table_insert(g->index, obj, v);
    }
    return GPOINTER_TO_UINT(v) - 1;
}

static void graph_add_object(Graph *g, OrrObject *obj)
{
    GArray *holders = obj->priv->holders;

    for (guint i = 0; i < holders->len; i++) {
        const OrrHolderRecord *r = &g_array_index(holders, OrrHolderRecord, i);
        if (r->by == NULL) {
            continue;
        }
        Edge e = {.from = r->by, .to = obj, .rec = r};
        guint from = node_of(g, r->by);
        node_of(g, obj);
        g_array_append_val(g->edges, e);
        guint idx = g->edges->len - 1;
        g_array_append_val(g_ptr_array_index(g->out, from), idx);
    }
}

static void graph_init(Graph *g)
{
    g->nodes = g_ptr_array_new();
    g->index = g_hash_table_new(NULL, NULL);
    g->edges = g_array_new(FALSE, FALSE, sizeof(Edge));
    g->out = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    g_autoptr(GPtrArray) live = orr_live_list(NULL);
    for (guint i = 0; i < live->len; i++) {
        node_of(g, ((OrrLiveInfo *)live->pdata[i])->object);
    }
    for (guint i = 0; i < live->len; i++) {
        graph_add_object(g, ((OrrLiveInfo *)live->pdata[i])->object);
    }
}

static void graph_clear(Graph *g)
{
    g_ptr_array_unref(g->nodes);
    g_hash_table_unref(g->index);
    g_array_unref(g->edges);
    g_ptr_array_unref(g->out);
}

/* --- Tarjan's strongly connected components ---------------------------- */

typedef struct Tarjan {
    Graph *g;
    gint *index, *low, *comp;
    bool *on_stack;
    GArray *stack;
    gint counter, ncomp;
} Tarjan;

static void strongconnect(Tarjan *t, guint v)
{
    GArray *out = g_ptr_array_index(t->g->out, v);

    t->index[v] = t->low[v] = t->counter++;
    g_array_append_val(t->stack, v);
    t->on_stack[v] = true;
    for (guint i = 0; i < out->len; i++) {
        Edge *e =
            &g_array_index(t->g->edges, Edge, g_array_index(out, guint, i));
        guint w = GPOINTER_TO_UINT(g_hash_table_lookup(t->g->index, e->to)) - 1;
        if (t->index[w] < 0) {
            strongconnect(t, w);
            t->low[v] = MIN(t->low[v], t->low[w]);
        } else if (t->on_stack[w]) {
            t->low[v] = MIN(t->low[v], t->index[w]);
        }
    }
    if (t->low[v] != t->index[v]) {
        return;
    }
    guint w;
    do {
        w = g_array_index(t->stack, guint, t->stack->len - 1);
        g_array_set_size(t->stack, t->stack->len - 1);
        t->on_stack[w] = false;
        t->comp[w] = t->ncomp;
    } while (w != v);
    t->ncomp++;
}

/* --- Reporting ---------------------------------------------------------- */

static char *name_of(OrrObject *obj)
{
    char *path = orr__object_last_path(obj);
    return path ? path : orr_object_describe(obj);
}

static char *format_edge(const Edge *e)
{
    g_autofree char *from = name_of(e->from);
    g_autofree char *to = name_of(e->to);

    if (e->rec->detail != NULL) {
        return g_strdup_printf("%s %s.%s -> %s", e->rec->kind, from,
                               e->rec->detail, to);
    }
    return g_strdup_printf("%s %s -> %s", e->rec->kind, from, to);
}

/* Breadth-first search inside component @c from @start back to @start;
 * returns the edge labels of the shortest such cycle, or NULL. */
static GPtrArray *shortest_cycle(Tarjan *t, guint start, gint c)
{
    Graph *g = t->g;
    guint n = g->nodes->len;
    g_autofree gint *via = g_new(gint, n); /* edge index reaching node */
    g_autoptr(GArray) queue = g_array_new(FALSE, FALSE, sizeof(guint));
    gint closing = -1;

    for (guint i = 0; i < n; i++) {
        via[i] = -1;
    }
    g_array_append_val(queue, start);
    for (guint q = 0; q < queue->len && closing < 0; q++) {
        guint v = g_array_index(queue, guint, q);
        GArray *out = g_ptr_array_index(g->out, v);
        for (guint i = 0; i < out->len && closing < 0; i++) {
            guint ei = g_array_index(out, guint, i);
            guint w = GPOINTER_TO_UINT(g_hash_table_lookup(
                          g->index, g_array_index(g->edges, Edge, ei).to)) -
                      1;
            if (t->comp[w] != c) {
                continue;
            }
            if (w == start) {
                closing = (gint)ei;
            } else if (via[w] < 0) {
                via[w] = (gint)ei;
                g_array_append_val(queue, w);
            }
        }
    }
    if (closing < 0) {
        return NULL;
    }
    GPtrArray *cycle = g_ptr_array_new_with_free_func(g_free);
    for (gint ei = closing;;) {
        Edge *e = &g_array_index(g->edges, Edge, ei);
        g_ptr_array_insert(cycle, 0, format_edge(e));
        guint from =
            GPOINTER_TO_UINT(g_hash_table_lookup(g->index, e->from)) - 1;
        if (from == start) {
            break;
        }
        ei = via[from];
    }
    return cycle;
}

GPtrArray *orr_live_find_cycles(void)
{
    Graph g;
    graph_init(&g);
    guint n = g.nodes->len;
    Tarjan t = {.g = &g, .stack = g_array_new(FALSE, FALSE, sizeof(guint))};
    t.index = g_new(gint, n);
    t.low = g_new(gint, n);
    t.comp = g_new(gint, n);
    t.on_stack = g_new0(bool, n);
    for (guint i = 0; i < n; i++) {
        t.index[i] = -1;
    }
    for (guint v = 0; v < n; v++) {
        if (t.index[v] < 0) {
            strongconnect(&t, v);
        }
    }
    GPtrArray *cycles =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    g_autofree bool *done = g_new0(bool, t.ncomp);
    for (guint v = 0; v < n; v++) { /* nodes in creation order */
        if (!done[t.comp[v]]) {
            done[t.comp[v]] = true;
            GPtrArray *cycle = shortest_cycle(&t, v, t.comp[v]);
            if (cycle != NULL) {
                g_ptr_array_add(cycles, cycle);
            }
        }
    }
    g_free(t.index);
    g_free(t.low);
    g_free(t.comp);
    g_free(t.on_stack);
    g_array_unref(t.stack);
    graph_clear(&g);
    return cycles;
}
