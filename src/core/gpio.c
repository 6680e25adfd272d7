/*
 * orrery core — GPIO/IRQ lines: groups of input and output lines declared
 * by device classes, their per-device state, and the connections between
 * an output line and an input line.
 */
#include "core-internal.h"

/*
 * Design
 *
 * A class declares named groups of lines (OrrGpioDecl). Subclasses start
 * from a copy of their parent's arrays and share the records by
 * refcount. Each device gets, in instance_init, one GpioGroup per group
 * its class declares, holding the level of every line and, for outputs,
 * the connection.
 *
 * A connection (GpioConn) belongs to the output line it starts from, and is
 * linked through its embedded `in_link` into the `incoming` queue of the
 * device it points to, so either end finds it in O(1) and cutting all the
 * connections of a device costs O(its lines + its incoming edges). Connections
 * are non-owning edges (docs/devel/object-model.md, section 6): they hold no
 * reference. They need no weak reference either: every device's finalize calls
 * orr__gpio_instance_finalize(), which cuts every connection from or to it, so
 * whichever end dies first, the other is left with no pointer to it.
 * check_invariants() verifies both halves after every mutation.
 *
 * Delivery runs the input's handler synchronously while the target holds
 * an %ORR_HOLDER_CALL reference. The handler may connect, disconnect and
 * drive lines, and drop references, including to the source: deliver()
 * reads everything it needs before calling it and touches nothing of the
 * source afterwards. A target that is being finalized receives nothing:
 * its instance_finalize may already have freed what the handler uses.
 * Nested deliveries are bounded (GPIO_MAX_DEPTH) so that a loop of lines
 * is an error, not a stack overflow.
 */

/* Bounds on what a script may ask for. */
#define GPIO_MAX_LINES 65536u
#define GPIO_MAX_DEPTH 128u

/*
 * One declared group. Each class array that lists it holds a reference;
 * classes live until the process exits, and so do these.
 */
typedef struct OrrGpioDecl {
    guint ref;
    char *name;
    guint count;
    bool is_output;
    OrrGpioHandler handler; /* inputs only */
    void *opaque;
} OrrGpioDecl;

typedef struct GpioConn GpioConn;
typedef struct OrrGpioState OrrGpioState;

typedef struct GpioLine {
    int level;      /* last level driven (output) or delivered */
    GpioConn *conn; /* outputs: owned, NULL when unconnected */
} GpioLine;

typedef struct GpioGroup {
    const OrrGpioDecl *decl; /* NOREF: declarations are never freed */
    GpioLine lines[];        /* decl->count */
} GpioGroup;

struct OrrGpioState {
    OrrDevice *dev;  /* NOREF: the device owns this state */
    GPtrArray *in;   /* GpioGroup*, owned, in declaration order */
    GPtrArray *out;  /* GpioGroup*, owned */
    GQueue incoming; /* GpioConn* through in_link; NOREF: each is
                      * owned by its source's output line */
};

struct GpioConn {
    OrrGpioState *src; /* NOREF: cut before either end is freed */
    GpioGroup *out;    /* NOREF: part of src */
    guint out_index;
    OrrGpioState *dst; /* NOREF: cut before either end is freed */
    GpioGroup *in;     /* NOREF: part of dst */
    guint in_index;
    guint64 serial; /* orr_serial_next() when made */
    GList in_link;  /* node in dst->incoming, data = this */
};

static guint delivery_depth; /* handlers currently running, nested */

static const char *kind_name(bool is_output)
{
    return is_output ? "output" : "input";
}

/* --- Invariants ----------------------------------------------------------- */

#ifndef NDEBUG
/* @link is properly linked into @q (its neighbours point back at it). */
static void assert_linked(const GQueue *q, const GList *link)
{
    g_assert(link->prev ? link->prev->next == link : q->head == link);
    g_assert(link->next ? link->next->prev == link : q->tail == link);
}

/* Every outgoing connection of @st is in its target's incoming queue and
 * every incoming one is its source line's connection. */
static void check_invariants(const OrrGpioState *st)
{
    guint n_incoming = 0;

    g_assert(st->dev->dpriv->gpio == st);
    for (guint g = 0; g < st->out->len; g++) {
        GpioGroup *group = st->out->pdata[g];
        for (guint i = 0; i < group->decl->count; i++) {
            const GpioConn *conn = group->lines[i].conn;
            if (conn == NULL) {
                continue;
            }
            g_assert(conn->src == st && conn->out == group);
            g_assert(conn->out_index == i && conn->in_link.data == conn);
            g_assert(conn->in_index < conn->in->decl->count);
            g_assert(!conn->in->decl->is_output);
            assert_linked(&conn->dst->incoming, &conn->in_link);
        }
    }
    for (const GList *l = st->incoming.head; l != NULL; l = l->next) {
        const GpioConn *conn = l->data;
        g_assert(&conn->in_link == l && conn->dst == st);
        g_assert(conn->out->lines[conn->out_index].conn == conn);
        n_incoming++;
    }
    g_assert(n_incoming == st->incoming.length);
}

#define ASSERT_INVARIANTS(st) check_invariants(st)
#else
#define ASSERT_INVARIANTS(st) ((void)(st))
#endif

/* --- Declarations (class side) ------------------------------------------ */

static void decl_release(gpointer p)
{
    OrrGpioDecl *decl = p;

    g_assert(decl->ref > 0);
    if (--decl->ref == 0) {
        g_free(decl->name);
        g_free(decl);
    }
}

static gpointer decl_acquire(gconstpointer p, G_GNUC_UNUSED gpointer data)
{
    OrrGpioDecl *decl = (OrrGpioDecl *)p;

    decl->ref++;
    return decl;
}

/* A new array holding a reference to each record of @parent (nullable). */
static GPtrArray *decls_inherit(GPtrArray *parent)
{
    if (parent == NULL) {
        return g_ptr_array_new_with_free_func(decl_release);
    }
    GPtrArray *decls = g_ptr_array_copy(parent, decl_acquire, NULL);

    g_ptr_array_set_free_func(decls, decl_release);
    return decls;
}

void orr__gpio_class_base_init(OrrDeviceClass *dc)
{
    /* Copied from the parent class by memcpy; NULL for "device" itself. */
    const struct OrrDeviceClassPrivate *parent = dc->dcpriv;
    struct OrrDeviceClassPrivate *priv =
        g_new0(struct OrrDeviceClassPrivate, 1);

    priv->gpio_in = decls_inherit(parent ? parent->gpio_in : NULL);
    priv->gpio_out = decls_inherit(parent ? parent->gpio_out : NULL);
    /* Owned by the class, which lives until the process exits. */
    dc->dcpriv = priv;
}

static const OrrGpioDecl *find_decl(GPtrArray *decls, const char *name)
{
    for (guint i = 0; i < decls->len; i++) {
        const OrrGpioDecl *decl = decls->pdata[i];
        if (strcmp(decl->name, name) == 0) {
            return decl;
        }
    }
    return NULL;
}

/* Group names are property-like names without brackets, which are kept
 * for line indices ("irq[1]"). */
static bool check_group_name(const char *op, const char *name, GError **errp)
{
    bool ok = name != NULL && *name != '\0';

    for (const char *p = name; ok && *p; p++) {
        ok = g_ascii_isalnum(*p) || strchr("-_.", *p) != NULL;
    }
    if (!ok) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "%s: invalid line group name '%s' (letters, digits, "
                    "'-', '_' and '.' only)",
                    op, name ? name : "");
    }
    return ok;
}

/* The private part of @dc, or NULL with @errp set when @dc is not a
 * device class. */
static struct OrrDeviceClassPrivate *
class_private(const char *op, OrrDeviceClass *dc, GError **errp)
{
    OrrObjectClass *klass = (OrrObjectClass *)dc;

    if (klass == NULL ||
        orr_class_dynamic_cast(klass, ORR_TYPE_DEVICE) == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_TYPE,
                    "%s: class '%s' is not a device class", op,
                    klass ? orr_class_get_name(klass) : "(none)");
        return NULL;
    }
    g_assert(dc->dcpriv != NULL);
    return dc->dcpriv;
}

/* Checks what both kinds of declaration share; returns the array to add
 * to, or NULL with @errp set. */
static GPtrArray *check_decl(const char *op, OrrDeviceClass *dc, bool is_output,
                             const char *name, guint count, GError **errp)
{
    struct OrrDeviceClassPrivate *priv = class_private(op, dc, errp);

    if (priv == NULL || !check_group_name(op, name, errp)) {
        return NULL;
    }
    const char *cls = orr_class_get_name((OrrObjectClass *)dc);
    GPtrArray *decls = is_output ? priv->gpio_out : priv->gpio_in;

    if (find_decl(decls, name) != NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "%s: class '%s' already has an %s '%s'", op, cls,
                    kind_name(is_output), name);
        return NULL;
    }
    if (count == 0 || count > GPIO_MAX_LINES) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "%s: %s '%s' of class '%s' has %u lines (1 to %u)", op,
                    kind_name(is_output), name, cls, count, GPIO_MAX_LINES);
        return NULL;
    }
    return decls;
}

static void add_decl(GPtrArray *decls, const char *name, guint count,
                     bool is_output, OrrGpioHandler handler, void *opaque)
{
    OrrGpioDecl *decl = g_new0(OrrGpioDecl, 1);

    decl->ref = 1;
    decl->name = g_strdup(name);
    decl->count = count;
    decl->is_output = is_output;
    decl->handler = handler;
    decl->opaque = opaque;
    /* 1 from new, held by @decls. */
    g_ptr_array_add(decls, decl);
}

bool orr_device_class_add_gpio_in(OrrDeviceClass *dc, const char *name,
                                  guint count, OrrGpioHandler handler,
                                  void *opaque, GError **errp)
{
    static const char op[] = "add_gpio_in";
    GPtrArray *decls = check_decl(op, dc, false, name, count, errp);

    if (decls == NULL) {
        return false;
    }
    if (handler == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "%s: input '%s' of class '%s' has no handler", op, name,
                    orr_class_get_name((OrrObjectClass *)dc));
        return false;
    }
    add_decl(decls, name, count, false, handler, opaque);
    return true;
}

bool orr_device_class_add_gpio_out(OrrDeviceClass *dc, const char *name,
                                   guint count, GError **errp)
{
    GPtrArray *decls = check_decl("add_gpio_out", dc, true, name, count, errp);

    if (decls == NULL) {
        return false;
    }
    add_decl(decls, name, count, true, NULL, NULL);
    return true;
}

/* --- Per-device state ----------------------------------------------------- */

static GPtrArray *groups_new(GPtrArray *decls)
{
    GPtrArray *groups = g_ptr_array_new_full(decls->len, g_free);

    for (guint i = 0; i < decls->len; i++) {
        const OrrGpioDecl *decl = decls->pdata[i];
        GpioGroup *group =
            g_malloc0(sizeof(GpioGroup) + decl->count * sizeof(GpioLine));
        group->decl = decl;
        g_ptr_array_add(groups, group);
    }
    return groups;
}

void orr__gpio_instance_init(OrrDevice *dev)
{
    OrrDeviceClass *dc = (OrrDeviceClass *)((OrrObject *)dev)->klass;
    OrrGpioState *st = g_new0(OrrGpioState, 1);

    g_assert(dev->dpriv != NULL && dev->dpriv->gpio == NULL);
    /* The groups the class declares now; later declarations (which only
     * class_init may make) do not reach existing devices. */
    st->dev = dev;
    st->in = groups_new(dc->dcpriv->gpio_in);
    st->out = groups_new(dc->dcpriv->gpio_out);
    g_queue_init(&st->incoming);
    dev->dpriv->gpio = st;
}

void orr__gpio_instance_finalize(OrrDevice *dev)
{
    OrrGpioState *st = dev->dpriv->gpio;

    g_assert(st != NULL);
    orr__gpio_disconnect_since(dev, 0);
    g_assert(g_queue_is_empty(&st->incoming));
    g_ptr_array_unref(st->in);
    g_ptr_array_unref(st->out);
    g_free(st);
    dev->dpriv->gpio = NULL;
}

/* The line state of @dev, or NULL with @errp set when it is gone (after
 * the device's state was released late in its finalization). */
static OrrGpioState *state_of(const char *op, OrrDevice *dev, GError **errp)
{
    if (dev == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID, "%s: no device", op);
        return NULL;
    }
    if (dev->dpriv == NULL || dev->dpriv->gpio == NULL) {
        g_autofree char *what = orr_object_describe((OrrObject *)dev);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "%s: device '%s' is being finalized", op, what);
        return NULL;
    }
    return dev->dpriv->gpio;
}

static GpioGroup *find_group(const OrrGpioState *st, bool is_output,
                             const char *name)
{
    GPtrArray *groups = is_output ? st->out : st->in;

    for (guint i = 0; i < groups->len; i++) {
        GpioGroup *group = groups->pdata[i];
        if (strcmp(group->decl->name, name) == 0) {
            return group;
        }
    }
    return NULL;
}

/*
 * Finds line @name[@index] of @dev among its inputs or outputs; on
 * failure sets @errp, naming @op, and returns NULL. @groupp (out) receives
 * the line's group.
 */
static GpioLine *lookup_line(const char *op, OrrDevice *dev, bool is_output,
                             const char *name, guint index, GpioGroup **groupp,
                             GError **errp)
{
    OrrGpioState *st = state_of(op, dev, errp);

    if (st == NULL) {
        return NULL;
    }
    if (name == NULL || *name == '\0') {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID, "%s: empty %s name", op,
                    kind_name(is_output));
        return NULL;
    }
    GpioGroup *group = find_group(st, is_output, name);
    if (group == NULL || index >= group->decl->count) {
        g_autofree char *what = orr_object_describe((OrrObject *)dev);
        if (group == NULL) {
            g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                        "%s: device '%s' has no %s '%s'", op, what,
                        kind_name(is_output), name);
        } else {
            g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                        "%s: device '%s' has no %s '%s[%u]' ('%s' has %u "
                        "line%s)",
                        op, what, kind_name(is_output), name, index, name,
                        group->decl->count, group->decl->count == 1 ? "" : "s");
        }
        return NULL;
    }
    *groupp = group;
    return &group->lines[index];
}

/* --- Connections ---------------------------------------------------------- */

static bool check_not_finalizing(const char *op, OrrDevice *dev, GError **errp)
{
    if (orr_object_get_state((OrrObject *)dev) != ORR_OBJECT_FINALIZING) {
        return true;
    }
    g_autofree char *what = orr_object_describe((OrrObject *)dev);
    g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                "%s: device '%s' is being finalized", op, what);
    return false;
}

static void set_already_connected(const char *op, const GpioConn *conn,
                                  GError **errp)
{
    g_autofree char *src = orr_object_describe((OrrObject *)conn->src->dev);
    g_autofree char *dst = orr_object_describe((OrrObject *)conn->dst->dev);

    g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                "%s: output '%s[%u]' of '%s' is already connected to input "
                "'%s[%u]' of '%s'",
                op, conn->out->decl->name, conn->out_index, src,
                conn->in->decl->name, conn->in_index, dst);
}

/* Makes the connection out[out_index] -> in[in_index]; both are valid
 * and the output line is free. */
static void conn_make(OrrGpioState *src, GpioGroup *out, guint out_index,
                      OrrGpioState *dst, GpioGroup *in, guint in_index)
{
    GpioConn *conn = g_new0(GpioConn, 1);

    g_assert(out->lines[out_index].conn == NULL);
    conn->src = src;
    conn->out = out;
    conn->out_index = out_index;
    conn->dst = dst;
    conn->in = in;
    conn->in_index = in_index;
    conn->serial = orr_serial_next();
    conn->in_link.data = conn;
    out->lines[out_index].conn = conn;
    g_queue_push_tail_link(&dst->incoming, &conn->in_link);
    ASSERT_INVARIANTS(src);
    ASSERT_INVARIANTS(dst);
}

/* Cuts @conn from both ends and frees it. */
static void conn_cut(GpioConn *conn)
{
    OrrGpioState *src = conn->src;
    OrrGpioState *dst = conn->dst;
    GpioLine *line = &conn->out->lines[conn->out_index];

    g_assert(line->conn == conn);
    line->conn = NULL;
    g_queue_unlink(&dst->incoming, &conn->in_link);
    g_free(conn);
    ASSERT_INVARIANTS(src);
    ASSERT_INVARIANTS(dst);
}

bool orr_device_connect_gpio(OrrDevice *src, const char *out, guint out_index,
                             OrrDevice *dst, const char *in, guint in_index,
                             GError **errp)
{
    static const char op[] = "connect_gpio";
    GpioGroup *og;
    GpioGroup *ig;
    GpioLine *line = lookup_line(op, src, true, out, out_index, &og, errp);

    if (line == NULL ||
        lookup_line(op, dst, false, in, in_index, &ig, errp) == NULL ||
        !check_not_finalizing(op, src, errp) ||
        !check_not_finalizing(op, dst, errp)) {
        return false;
    }
    if (line->conn != NULL) {
        set_already_connected(op, line->conn, errp);
        return false;
    }
    conn_make(src->dpriv->gpio, og, out_index, dst->dpriv->gpio, ig, in_index);
    return true;
}

bool orr_device_disconnect_gpio(OrrDevice *src, const char *out,
                                guint out_index, GError **errp)
{
    GpioGroup *og;
    GpioLine *line =
        lookup_line("disconnect_gpio", src, true, out, out_index, &og, errp);

    if (line == NULL) {
        return false;
    }
    if (line->conn != NULL) {
        conn_cut(line->conn);
    }
    return true;
}

OrrDevice *orr_device_get_gpio_target(OrrDevice *src, const char *out,
                                      guint out_index, const char **in_name,
                                      guint *in_index, GError **errp)
{
    GpioGroup *og;
    GpioLine *line =
        lookup_line("get_gpio_target", src, true, out, out_index, &og, errp);

    if (line == NULL) {
        return NULL;
    }
    const GpioConn *conn = line->conn;
    if (in_name != NULL) {
        *in_name = conn ? conn->in->decl->name : NULL;
    }
    if (in_index != NULL) {
        *in_index = conn ? conn->in_index : 0;
    }
    return conn ? conn->dst->dev : NULL;
}

static void cut_outgoing(OrrGpioState *st, guint64 since)
{
    for (guint g = 0; g < st->out->len; g++) {
        GpioGroup *group = st->out->pdata[g];
        for (guint i = 0; i < group->decl->count; i++) {
            GpioConn *conn = group->lines[i].conn;
            if (conn != NULL && conn->serial > since) {
                conn_cut(conn);
            }
        }
    }
}

static void cut_incoming(OrrGpioState *st, guint64 since)
{
    GList *next;

    for (GList *l = st->incoming.head; l != NULL; l = next) {
        GpioConn *conn = l->data;
        next = l->next; /* @l is freed with @conn */
        if (conn->serial > since) {
            conn_cut(conn);
        }
    }
}

void orr__gpio_disconnect_since(OrrDevice *dev, guint64 since)
{
    OrrGpioState *st = dev->dpriv ? dev->dpriv->gpio : NULL;

    if (st == NULL) {
        return;
    }
    /* Cutting calls no handler, so nothing else changes meanwhile. */
    cut_outgoing(st, since);
    cut_incoming(st, since);
}

void orr_device_disconnect_all_gpio(OrrDevice *dev)
{
    if (dev != NULL) {
        orr__gpio_disconnect_since(dev, 0);
    }
}

/* --- Levels and delivery ------------------------------------------------- */

/* Refuses a delivery that would nest handlers deeper than GPIO_MAX_DEPTH
 * (a loop of lines whose handlers drive each other). */
static bool check_depth(const char *op, OrrDevice *dev, bool is_output,
                        const GpioGroup *group, guint index, GError **errp)
{
    if (delivery_depth < GPIO_MAX_DEPTH) {
        return true;
    }
    g_autofree char *what = orr_object_describe((OrrObject *)dev);
    g_set_error(errp, ORR_ERROR, ORR_ERROR_CYCLE,
                "%s: driving %s '%s[%u]' of '%s' would nest more than %u "
                "line handlers (a loop of lines?)",
                op, kind_name(is_output), group->decl->name, index, what,
                GPIO_MAX_DEPTH);
    return false;
}

/*
 * Records @level on input line @group[@index] of @st's device and calls
 * its handler, the device held by an %ORR_HOLDER_CALL reference. A
 * finalizing device receives nothing. @st and @group may be freed when
 * this returns (the handler may drop the last other reference).
 */
static void deliver(OrrGpioState *st, GpioGroup *group, guint index, int level)
{
    OrrDevice *dev = st->dev;
    const OrrGpioDecl *decl = group->decl;

    OrrObject *held = orr__object_hold_for_call((OrrObject *)dev);

    if (held == NULL) {
        return;
    }
    group->lines[index].level = level;
    delivery_depth++;
    decl->handler(dev, index, level, decl->opaque);
    delivery_depth--;
    orr__object_release_call(held);
}

bool orr_device_set_gpio(OrrDevice *dev, const char *out, guint index,
                         int level, GError **errp)
{
    static const char op[] = "set_gpio";
    GpioGroup *group;
    GpioLine *line = lookup_line(op, dev, true, out, index, &group, errp);

    if (line == NULL) {
        return false;
    }
    GpioConn *conn = line->conn;
    if (conn != NULL && !check_depth(op, dev, true, group, index, errp)) {
        return false;
    }
    line->level = level;
    if (conn != NULL) {
        /* The handler may cut @conn or free @dev: read the target first. */
        deliver(conn->dst, conn->in, conn->in_index, level);
    }
    return true;
}

bool orr_device_set_gpio_in(OrrDevice *dev, const char *in, guint index,
                            int level, GError **errp)
{
    static const char op[] = "set_gpio_in";
    GpioGroup *group;

    if (lookup_line(op, dev, false, in, index, &group, errp) == NULL ||
        !check_not_finalizing(op, dev, errp) ||
        !check_depth(op, dev, false, group, index, errp)) {
        return false;
    }
    deliver(dev->dpriv->gpio, group, index, level);
    return true;
}

bool orr_device_get_gpio_level(OrrDevice *dev, bool is_output, const char *name,
                               guint index, int *level, GError **errp)
{
    GpioGroup *group;
    GpioLine *line = lookup_line("get_gpio_level", dev, is_output, name, index,
                                 &group, errp);

    if (line == NULL) {
        return false;
    }
    if (level != NULL) {
        *level = line->level;
    }
    return true;
}
