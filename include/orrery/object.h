/*
 * orrery — objects: creation, the one reference count, the composition
 * tree (child<> edges, paths), weak references and checked casts.
 */
#ifndef ORRERY_OBJECT_H
#define ORRERY_OBJECT_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/type.h"
#include "orrery/value.h"

G_BEGIN_DECLS

typedef struct OrrObjectPrivate OrrObjectPrivate;

/** ORR_TYPE_CONTAINER: a plain object used to group children ("/machine"). */
#define ORR_TYPE_CONTAINER "container"

/**
 * OrrObjectState:
 * @ORR_OBJECT_INITIALIZING: instance_init hooks are running.
 * @ORR_OBJECT_LIVE: usable; may be in the tree or detached.
 * @ORR_OBJECT_FINALIZING: the count reached zero; instance_finalize and
 *   the release of children and properties are running. No new
 *   references, children or edges may be made to it.
 *
 * The object-level lifecycle. Devices add a realize phase on top, see
 * #OrrDevicePhase. Transitions: orr_object_new() INITIALIZING -> LIVE;
 * the last unref LIVE -> FINALIZING, then the memory is freed.
 */
typedef enum {
    ORR_OBJECT_INITIALIZING,
    ORR_OBJECT_LIVE,
    ORR_OBJECT_FINALIZING,
} OrrObjectState;

/**
 * OrrObject:
 * @klass: the object's class (transfer none).
 *
 * Every instance struct starts with this header. Fields under private are
 * the core's; use the accessors.
 */
struct OrrObject {
    OrrObjectClass *klass;
    /*< private >*/
    OrrObjectPrivate *priv;
};

/*
 * Reference holders. Every reference is recorded with who holds it, so the
 * live-object registry can say why an object is alive. A holder is a kind
 * (a static string: the core uses the ORR_HOLDER_* kinds below, later
 * layers add their own), an optional holding object and an optional detail
 * (a property or edge name).
 */
/** ORR_HOLDER_CALLER: a C caller's reference (orr_object_new, orr_object_ref).
 */
#define ORR_HOLDER_CALLER "caller"
/** ORR_HOLDER_PARENT: the parent's child<> property. */
#define ORR_HOLDER_PARENT "parent"
/** ORR_HOLDER_LINK: an owning link<> property of another object. */
#define ORR_HOLDER_LINK "link"
/** ORR_HOLDER_CALL: a temporary reference held while a call is delivered. */
#define ORR_HOLDER_CALL "call"
/** ORR_HOLDER_ACCESS: an access in flight holding what it calls into
 * (orr_object_try_hold_access(); counted, not recorded). */
#define ORR_HOLDER_ACCESS "access"

/**
 * OrrHolder:
 * @kind: a static string, e.g. %ORR_HOLDER_LINK.
 * @by: (nullable): the holding object, NOREF: the holder must drop the
 *   reference before it is freed itself.
 * @detail: (nullable): a name for the edge (interned by the core).
 */
typedef struct OrrHolder {
    const char *kind;
    OrrObject *by;
    const char *detail;
} OrrHolder;

/**
 * orr_object_new:
 * @type_name: a concrete registered type.
 * @errp: return location for an error.
 *
 * Creates a detached object: runs `instance_init` root to leaf, then
 * `instance_post_init`. Fails for unknown or abstract types.
 *
 * Returns: (transfer full): the object, held by one %ORR_HOLDER_CALLER
 *   reference, or NULL on error.
 */
OrrObject *orr_object_new(const char *type_name, GError **errp);

/**
 * orr_object_new_with_props:
 * @type_name: a concrete registered type.
 * @parent: (nullable): where to add the new object, or NULL.
 * @name: (nullable): its child name (may end in `[*]`); required with @parent.
 * @errp: return location for an error.
 * @...: NULL-terminated pairs of property name and value in string form
 *   (see orr_object_set_from_string()).
 *
 * Creates an object, sets the properties, and adds it under @parent. On
 * any failure nothing is left behind: no child, no object.
 *
 * Returns: (transfer none) (nullable): the object, held by @parent, when
 *   @parent is given; (transfer full) otherwise. NULL on error.
 */
OrrObject *orr_object_new_with_props(const char *type_name, OrrObject *parent,
                                     const char *name, GError **errp,
                                     ...) G_GNUC_NULL_TERMINATED;

/**
 * orr_object_new_with_propv:
 * @props: @n name/value pairs (typed, see orr_object_set()).
 *
 * Like orr_object_new_with_props() with a typed array.
 */
typedef struct OrrPropAssign {
    const char *name;
    const OrrValue *value;
} OrrPropAssign;
OrrObject *orr_object_new_with_propv(const char *type_name, OrrObject *parent,
                                     const char *name,
                                     const OrrPropAssign *props, guint n,
                                     GError **errp);

/**
 * orr_object_ref:
 * @obj: an object that is not finalizing.
 *
 * Takes a reference on the lifetime unit of @obj (see
 * orr_object_get_lifetime_unit()), recorded as %ORR_HOLDER_CALLER.
 *
 * Returns: (transfer full): @obj.
 */
OrrObject *orr_object_ref(OrrObject *obj);

/**
 * orr_object_unref:
 * @obj: (transfer full): an object with a %ORR_HOLDER_CALLER reference.
 *
 * Drops a reference taken by orr_object_new() or orr_object_ref(). The
 * object is finalized and freed when its lifetime unit's count reaches
 * zero.
 */
void orr_object_unref(OrrObject *obj);

/**
 * orr_object_ref_held:
 * @obj: an object that is not finalizing.
 * @holder: who holds the new reference.
 *
 * Like orr_object_ref() with a named holder. The same holder must release
 * it with orr_object_unref_held().
 *
 * Returns: (transfer full): @obj.
 */
OrrObject *orr_object_ref_held(OrrObject *obj, const OrrHolder *holder);

/**
 * orr_object_unref_held:
 * @obj: (transfer full): the object.
 * @holder: the holder given to orr_object_ref_held().
 */
void orr_object_unref_held(OrrObject *obj, const OrrHolder *holder);

/**
 * orr_object_try_ref_held:
 * @obj: an object.
 * @holder: who holds the new reference.
 * @errp: return location for an error.
 *
 * Like orr_object_ref_held(), but fails with %ORR_ERROR_STATE instead of
 * asserting when @obj or its lifetime unit is finalizing.
 *
 * Returns: whether the reference was taken.
 */
bool orr_object_try_ref_held(OrrObject *obj, const OrrHolder *holder,
                             GError **errp);

/**
 * orr_object_try_hold_access:
 * @obj: an object.
 *
 * Takes a reference on @obj's lifetime unit for an access in flight: a
 * short hold taken and dropped on every access that calls into a device,
 * so it is counted on the unit rather than recorded like other holders,
 * and listed as one holder, %ORR_HOLDER_ACCESS (with " xN" when there
 * are several).
 *
 * Returns: (transfer full) (nullable): the unit held, to give to
 *   orr_object_release_access() (it stays the one held even if @obj
 *   joins another unit meanwhile); NULL, taking nothing, when @obj or
 *   its unit is finalizing.
 */
OrrObject *orr_object_try_hold_access(OrrObject *obj);

/**
 * orr_object_release_access:
 * @unit: (transfer full): what orr_object_try_hold_access() returned.
 *
 * Drops that reference; this may finalize @unit.
 */
void orr_object_release_access(OrrObject *unit);

/**
 * orr_object_get_lifetime_unit:
 * Returns: (transfer none): the object whose count governs @obj's life:
 *   @obj itself, or the owner of a memory region.
 */
OrrObject *orr_object_get_lifetime_unit(OrrObject *obj);

/** orr_object_get_refcount: Returns: @obj's own reference count. */
guint orr_object_get_refcount(const OrrObject *obj);

/** orr_object_get_state: Returns: the object's #OrrObjectState. */
OrrObjectState orr_object_get_state(const OrrObject *obj);

/** orr_object_get_type: Returns: (transfer none): the object's type. */
OrrType *orr_object_get_type(const OrrObject *obj);

/** orr_object_get_type_name: Returns: (transfer none): the type's name. */
const char *orr_object_get_type_name(const OrrObject *obj);

/**
 * orr_object_is_a:
 * Returns: whether @obj's type is, derives from or implements @type_name.
 */
bool orr_object_is_a(const OrrObject *obj, const char *type_name);

/**
 * orr_object_dynamic_cast:
 * Returns: (transfer none) (nullable): @obj if orr_object_is_a(), else NULL.
 */
OrrObject *orr_object_dynamic_cast(OrrObject *obj, const char *type_name);

/**
 * orr_object_cast:
 * @obj: (nullable): an object.
 * @type_name: the expected type or interface.
 * @errp: return location for an error.
 *
 * A checked cast. The error names both types: `cast: object '/a' of type
 * 'x' is not a 'y'`.
 *
 * Returns: (transfer none) (nullable): @obj, or NULL with an error.
 */
OrrObject *orr_object_cast(OrrObject *obj, const char *type_name,
                           GError **errp);

/**
 * ORR_OBJECT_CHECK:
 *
 * Cast for code that knows the type is right; aborts naming both types
 * otherwise. Never use it on something a script supplied: use
 * orr_object_cast() there.
 */
#define ORR_OBJECT_CHECK(ctype, obj, type_name)                                \
    ((ctype *)orr__object_check_cast((OrrObject *)(obj), (type_name),          \
                                     __FILE__, __LINE__))
OrrObject *orr__object_check_cast(OrrObject *obj, const char *type_name,
                                  const char *file, int line);

/**
 * orr_object_get_interface:
 * Returns: (transfer none) (nullable): the interface class for @iface_name
 *   of @obj's class, or NULL.
 */
OrrInterfaceClass *orr_object_get_interface(OrrObject *obj,
                                            const char *iface_name);

/**
 * orr_object_pin:
 * @obj: an object that is not finalizing.
 * @holder: who pins it; recorded like any holder.
 *
 * Takes a reference on @obj itself, not on its lifetime unit, so that @obj
 * is not finalized while pinned even if it leaves its unit's tree. For
 * layers whose records can outlast an object's place in the tree for a
 * short while (a flat view still showing a region that was just
 * destroyed). A pin never keeps the lifetime unit alive: whoever pins a
 * member of another unit must also hold that unit (orr_object_ref_held())
 * or be sure to unpin before the unit dies.
 */
void orr_object_pin(OrrObject *obj, const OrrHolder *holder);

/**
 * orr_object_unpin:
 * @obj: (transfer full): an object pinned by @holder.
 * @holder: the holder given to orr_object_pin().
 *
 * Drops the pin; @obj is finalized now if nothing else holds it.
 */
void orr_object_unpin(OrrObject *obj, const OrrHolder *holder);

/**
 * orr_edge_is_owning:
 * @source: the object the edge starts from.
 * @target: the object it points to.
 *
 * Classifies an edge (other than child<>) at the moment it is made. It is
 * non-owning when the target's lifetime unit is the source's lifetime unit
 * or an ancestor of it in the composition tree (the edge points to itself
 * or up), and owning otherwise (down or across). An owning edge takes one
 * reference on the target's lifetime unit; a non-owning one takes none and
 * must be severed, with orr_object_weak_ref(), when the target dies.
 * Because a reference never points to oneself or up, the strong-reference
 * graph stays acyclic except through edges between sibling subtrees.
 *
 * Returns: whether the edge must hold a reference.
 */
bool orr_edge_is_owning(OrrObject *source, OrrObject *target);

/* --- Weak references -------------------------------------------------- */

/**
 * OrrWeakNotify:
 * @obj: the object being finalized; its children and properties are
 *   already released. Do not reference it, only forget it.
 * @data: the data given to orr_object_weak_ref().
 *
 * Used for non-owning edges: the edge is severed when its target dies.
 */
typedef void (*OrrWeakNotify)(OrrObject *obj, void *data);

/**
 * orr_object_weak_ref:
 * @obj: an object that is not finalizing.
 * @notify: called once when @obj is finalized, unless removed before.
 * @data: passed to @notify.
 *
 * Returns: a non-zero id for orr_object_weak_unref().
 */
guint orr_object_weak_ref(OrrObject *obj, OrrWeakNotify notify, void *data);

/**
 * orr_object_weak_unref:
 * @obj: the object given to orr_object_weak_ref().
 * @id: the id it returned. Removing an id that already fired is an error
 *   of the caller (asserted).
 */
void orr_object_weak_unref(OrrObject *obj, guint id);

/* --- The composition tree --------------------------------------------- */

/**
 * orr_root:
 *
 * The root container at "/". It is created on first use, lives until
 * orr_root_shutdown(), and is not listed by the live-object registry.
 *
 * Returns: (transfer none): the root.
 */
OrrObject *orr_root(void);

/**
 * orr_root_shutdown:
 *
 * Unparents every child of the root (reverse order of addition) and frees
 * the root. A later orr_root() makes a new one.
 */
void orr_root_shutdown(void);

/**
 * orr_object_add_child:
 * @parent: a live object.
 * @name: the child's name; a trailing `[*]` picks the first free `[N]`.
 * @child: a live object without a parent.
 * @errp: return location for an error.
 *
 * Adds a child<> property to @parent that holds one reference to @child
 * (%ORR_HOLDER_PARENT). Fails, changing nothing, when the name is taken
 * or malformed, @child already has a parent, @child is @parent or one of
 * its ancestors, or either object is finalizing.
 *
 * Returns: (transfer none) (nullable): the name actually used, owned by
 *   @child, or NULL on error.
 */
const char *orr_object_add_child(OrrObject *parent, const char *name,
                                 OrrObject *child, GError **errp);

/**
 * orr_object_unparent:
 * @obj: an object; detached objects are left as they are.
 *
 * Removes @obj from the tree: unrealizes it if it is a realized device,
 * runs its class `unparent` hook, then deletes the parent's child<>
 * property, dropping the parent's reference (which may finalize @obj).
 * Callers that still use @obj afterwards must hold a reference.
 */
void orr_object_unparent(OrrObject *obj);

/** orr_object_get_parent: Returns: (transfer none) (nullable): the parent. */
OrrObject *orr_object_get_parent(const OrrObject *obj);

/**
 * orr_object_get_name:
 * Returns: (transfer none) (nullable): the name under the parent, or the
 *   last name it had, or NULL if it never had a parent.
 */
const char *orr_object_get_name(const OrrObject *obj);

/**
 * orr_object_get_path:
 * Returns: (transfer full) (nullable): the canonical path ("/" for the
 *   root, "/machine/uart0"), or NULL when @obj is not reachable from the
 *   root through child<> edges.
 */
char *orr_object_get_path(const OrrObject *obj);

/**
 * orr_object_describe:
 * Returns: (transfer full): the canonical path, else the last path it had
 *   followed by " (detached)", else "<detached TYPE>". For messages.
 */
char *orr_object_describe(const OrrObject *obj);

/**
 * orr_object_get_child:
 * Returns: (transfer none) (nullable): the child named @name.
 */
OrrObject *orr_object_get_child(OrrObject *obj, const char *name);

/**
 * orr_object_get_children:
 * Returns: (transfer container): the children in order of addition (no
 *   references are taken; free with g_ptr_array_unref()).
 */
GPtrArray *orr_object_get_children(OrrObject *obj);

/**
 * orr_object_is_ancestor:
 * Returns: whether @ancestor is @obj's parent, grandparent, ... (not @obj).
 */
bool orr_object_is_ancestor(const OrrObject *ancestor, const OrrObject *obj);

/**
 * orr_object_resolve_path:
 * @path: an absolute path ("/machine/uart0", following child<> and link<>
 *   edges) or a partial one ("uart0", "soc/uart0": matched against the
 *   end of every canonical path, following child<> edges only).
 * @type_name: (nullable): only objects of this type count.
 * @ambiguous: (out) (optional): set when a partial path matched more than
 *   one object.
 *
 * Returns: (transfer none) (nullable): the object, or NULL when nothing
 *   or more than one object matched.
 */
OrrObject *orr_object_resolve_path(const char *path, const char *type_name,
                                   bool *ambiguous);

/**
 * orr_object_format_tree:
 * @obj: (nullable): the subtree's root; NULL for "/".
 *
 * Returns: (transfer full): the subtree in the layout of QEMU's
 *   `info qom-tree`, one line per object, `/name (type)`, indented by two
 *   spaces per level, children in order of addition.
 */
char *orr_object_format_tree(OrrObject *obj);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OrrObject, orr_object_unref)

G_END_DECLS

#endif /* ORRERY_OBJECT_H */
