-- Cross-linked siblings: two devices under one parent, each holding the
-- other through an owning edge (a mapping, an alias, an address-space
-- root or a link<> property). Never realized and left without unrealize,
-- the pair outlives its parent; the cycle finder names every edge with
-- object paths and the leak report names both. Realizing and unrealizing
-- one of them (or breaking an edge by hand) frees everything.
local orrery = require("orrery")
local t = require("orrery.test")

-- The only way back to a pair nobody references: an IRQ line from a
-- probe device in the tree. Lines hold no reference, and a device that
-- was never realized keeps them when it leaves the tree; driving the line
-- calls the target's input handler with a fresh proxy of the target.
local caught = {}

orrery.type{
    name = "xl-dev", parent = "device",
    props = { peer = { type = "link", target = "device" } },
    init = function(self)
        orrery.container(self, "box", 0x10000)
        orrery.ram(self, "xr", 0x100)
    end,
    gpio_in = { probe = { count = 1, set = function(self, _, _, level)
        if level ~= 0 then
            caught[#caught + 1] = self
        end
    end } },
}
orrery.type{ name = "xl-probe", parent = "device",
             gpio_out = { "to_a", "to_b", "to_c" } }

local hold = {
    probe = orrery.new("xl-probe", { parent = orrery.root, name = "probe" }),
}

local events = {}
local hook = orrery.on_finalize(function(ev)
    events[#events + 1] = ev.type .. " " .. ev.path
end)

-- A Lua pattern matching @s literally.
local function plain(s)
    return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

local function cycles_text()
    local lines = {}
    for _, c in ipairs(orrery.cycles()) do
        lines[#lines + 1] = table.concat(c, " | ")
    end
    return table.concat(lines, "\n")
end

-- The holders of the live object at @path (its last path), joined.
local function holders(path)
    for _, l in ipairs(orrery.live()) do
        if l.path == path then
            return table.concat(l.holders, ", ")
        end
    end
    return nil
end

-- The kinds of cross edge. make(a, b) makes a's edge to b and b's to a;
-- children: the children each device has once linked, in order of
-- addition; edge(x, y): the edge from x's subtree to y as the cycle
-- finder names it, holder(x): the holder it records on the other device;
-- cut(a, b): removes a's edge to b by hand, unparenting a's child
-- cut_removes if that is set.
local KINDS = {
    {
        name = "mapping",
        make = function(a, b)
            a:child("box"):add(0x8000, b:child("xr"))
            b:child("box"):add(0x8000, a:child("xr"))
        end,
        children = { "box", "xr" },
        edges = function(x, y)
            return { "parent " .. x .. " -> " .. x .. "/box",
                     "subregion " .. x .. "/box -> " .. y }
        end,
        holder = function(x) return "subregion " .. x .. "/box" end,
        cut = function(a, b) a:child("box"):del(b:child("xr")) end,
    },
    {
        name = "alias",
        make = function(a, b)
            orrery.alias(a, "win", b:child("xr"), 0, 0x100)
            orrery.alias(b, "win", a:child("xr"), 0, 0x100)
        end,
        children = { "box", "xr", "win" },
        edges = function(x, y)
            return { "parent " .. x .. " -> " .. x .. "/win",
                     "alias " .. x .. "/win -> " .. y }
        end,
        holder = function(x) return "alias " .. x .. "/win" end,
        cut = function(a) a:child("win"):unparent() end,
        cut_removes = "win",
    },
    {
        name = "address-space root",
        make = function(a, b)
            orrery.address_space(a, "view", b:child("box"))
            orrery.address_space(b, "view", a:child("box"))
        end,
        children = { "box", "xr", "view" },
        edges = function(x, y)
            return { "parent " .. x .. " -> " .. x .. "/view",
                     "as-root " .. x .. "/view -> " .. y }
        end,
        holder = function(x) return "as-root " .. x .. "/view" end,
        cut = function(a) a:child("view"):unparent() end,
        cut_removes = "view",
    },
    {
        name = "link",
        make = function(a, b)
            a:set("peer", b)
            b:set("peer", a)
        end,
        children = { "box", "xr" },
        edges = function(x, y) return { "link " .. x .. ".peer -> " .. y } end,
        holder = function(x) return "link " .. x .. ".peer" end,
        cut = function(a) a:set("peer", nil) end,
        -- A link<> property is an owning edge that unrealize leaves alone
        -- (it cuts mappings, aliases, roots and IRQ lines): only the
        -- script that set it can cut it.
        kept_by_unrealize = true,
    },
}

-- The cycle through /xo/a and /xo/b as the finder reports it: from the
-- older object, a.
local function expected_cycle(kind)
    local e = kind.edges("/xo/a", "/xo/b")
    for _, x in ipairs(kind.edges("/xo/b", "/xo/a")) do
        e[#e + 1] = x
    end
    return table.concat(e, " | ")
end

-- The finalize events of device @path and its children, as the core
-- orders them: the device, then its children newest first (but for
-- @gone, already removed).
local function subtree_events(kind, path, gone)
    local ev = { "xl-dev " .. path }
    for i = #kind.children, 1, -1 do
        local child = kind.children[i]
        if child ~= gone then
            local typename = child == "view" and "address-space"
                             or "memory-region"
            ev[#ev + 1] = typename .. " " .. path .. "/" .. child
        end
    end
    return ev
end

local function concat(...)
    local out = {}
    for _, list in ipairs({ ... }) do
        for _, x in ipairs(list) do
            out[#out + 1] = x
        end
    end
    return table.concat(out, "\n")
end

-- Makes /xo with the cross-linked pair a, b, connected to the probe.
-- Keeps /xo's proxy in hold.o and nothing else. Realizes both if asked.
local function build(kind, realize)
    local o = orrery.new("container", { parent = orrery.root, name = "xo" })
    local a = orrery.new("xl-dev", { parent = o, name = "a" })
    local b = orrery.new("xl-dev", { parent = o, name = "b" })
    kind.make(a, b)
    hold.probe:connect("to_a", a, "probe", 0)
    hold.probe:connect("to_b", b, "probe", 0)
    if realize then
        a:realize()
        b:realize()
    end
    hold.o = o
end

-- Unparents /xo and drops its proxy: the parent goes at once.
local function drop_parent()
    hold.o:unparent()
    hold.o:release()
    hold.o = nil
end

-- Drives the probe's line to @which and returns the proxy it caught.
local function recover(which)
    caught = {}
    hold.probe:set_gpio(which, 1)
    hold.probe:set_gpio(which, 0)
    return caught[1]
end

-- --- 1. Never realized, left without unrealize: a leak, found -----------

for _, kind in ipairs(KINDS) do
    local what = kind.name .. ": "
    orrery.gc()
    local live0 = orrery.live_count()
    build(kind, false)
    orrery.gc()
    t.is(cycles_text(), expected_cycle(kind),
         what .. "a cycle while in the tree, both edges named")
    t.like(holders("/xo/a"), plain(kind.holder("/xo/b")),
           what .. "a is held by b's edge")
    t.like(holders("/xo/b"), plain(kind.holder("/xo/a")),
           what .. "b is held by a's edge")

    events = {}
    drop_parent()
    orrery.gc()
    t.is(table.concat(events, "\n"), "container /xo",
         what .. "unparented and dropped: only the parent went")
    local pair = 2 * (#kind.children + 1)
    t.is(orrery.live_count(), live0 + pair, what .. "the pair outlives it")
    t.is(holders("/xo/a"), kind.holder("/xo/b") .. " (detached)",
         what .. "nothing but b's edge holds a")
    t.is(holders("/xo/b"), kind.holder("/xo/a") .. " (detached)",
         what .. "nothing but a's edge holds b")
    t.is(cycles_text(), expected_cycle(kind),
         what .. "the cycle, named by last paths")
    local report = orrery.leaks() or ""
    t.like(report, plain("xl-dev /xo/a (detached) refcount=1 held by: " ..
                         kind.holder("/xo/b")),
           what .. "the leak report names a and its holder")
    t.like(report, plain("xl-dev /xo/b (detached) refcount=1 held by: " ..
                         kind.holder("/xo/a")),
           what .. "the leak report names b and its holder")

    -- Break it: realize and unrealize a, which cuts every cross-owner
    -- mapping, alias and root touching a; a link needs cutting by hand.
    local a = recover("to_a")
    t.ok(a ~= nil and a.name == "a" and a.path == nil,
         what .. "a caught through the probe's line, detached")
    events = {}
    a:realize()
    a:unrealize()
    if kind.kept_by_unrealize then
        t.is(#events, 0, what .. "unrealize leaves the link: nothing freed")
        kind.cut(a)
    end
    t.is(table.concat(events, "\n"), concat(subtree_events(kind, "/xo/b")),
         what .. "the cut freed b and its regions at once")
    t.is(cycles_text(), "", what .. "no cycle left")
    events = {}
    a:release()
    a = nil
    t.is(table.concat(events, "\n"), concat(subtree_events(kind, "/xo/a")),
         what .. "releasing the last proxy freed a")
    orrery.gc()
    t.is(orrery.live_count(), live0, what .. "everything gone")
end

-- --- 2. Broken by hand while in the tree, then unparented ---------------

for _, kind in ipairs(KINDS) do
    local what = kind.name .. " (cut by hand): "
    orrery.gc()
    local live0 = orrery.live_count()
    build(kind, false)
    ;(function()
        kind.cut(hold.o:child("a"), hold.o:child("b"))
    end)()
    orrery.gc()
    t.is(cycles_text(), "", what .. "one edge cut: no cycle")
    events = {}
    drop_parent()
    t.is(table.concat(events, "\n"),
         concat({ "container /xo" }, subtree_events(kind, "/xo/b"),
                subtree_events(kind, "/xo/a", kind.cut_removes)),
         what .. "the parent, then its children newest first")
    orrery.gc()
    t.is(orrery.live_count(), live0, what .. "everything gone")
end

-- --- 3. Realized, never unrealized by the script ------------------------
-- The parent's release of its children unparents them, which unrealizes
-- them, which cuts the cross-owner edges: both go, newest first.

for _, kind in ipairs(KINDS) do
    if not kind.kept_by_unrealize then
        local what = kind.name .. " (realized): "
        orrery.gc()
        local live0 = orrery.live_count()
        build(kind, true)
        orrery.gc()
        t.is(cycles_text(), expected_cycle(kind),
             what .. "a cycle while realized in the tree")
        events = {}
        drop_parent()
        t.is(table.concat(events, "\n"),
             concat({ "container /xo" }, subtree_events(kind, "/xo/b"),
                    subtree_events(kind, "/xo/a")),
             what .. "unparenting the parent freed all, newest first")
        orrery.gc()
        t.is(orrery.live_count(), live0, what .. "everything gone")
    end
end

-- --- 4. A ring of three, never realized ---------------------------------

do
    orrery.gc()
    local live0 = orrery.live_count()
    ;(function()
        local o = orrery.new("container", { parent = orrery.root, name = "xo" })
        local d = {}
        for i, name in ipairs({ "a", "b", "c" }) do
            d[i] = orrery.new("xl-dev", { parent = o, name = name })
            hold.probe:connect("to_" .. name, d[i], "probe", 0)
        end
        for i = 1, 3 do
            d[i]:child("box"):add(0, d[i % 3 + 1]:child("xr"))
        end
        o:unparent()
        o:release()
    end)()
    orrery.gc()
    t.is(orrery.live_count(), live0 + 9, "ring: the three outlive their parent")
    t.is(cycles_text(), table.concat({
        "parent /xo/a -> /xo/a/box", "subregion /xo/a/box -> /xo/b",
        "parent /xo/b -> /xo/b/box", "subregion /xo/b/box -> /xo/c",
        "parent /xo/c -> /xo/c/box", "subregion /xo/c/box -> /xo/a",
    }, " | "), "ring: one cycle of six edges, every device named")
    local report = orrery.leaks() or ""
    for _, name in ipairs({ "a", "b", "c" }) do
        t.like(report, plain("xl-dev /xo/" .. name .. " (detached)"),
               "ring: the leak report names " .. name)
    end
    -- Unrealizing b cuts its two edges; a and c then go in turn.
    local b = recover("to_b")
    events = {}
    b:realize()
    b:unrealize()
    t.is(events[1], "xl-dev /xo/c", "ring: cutting b's edges freed c first")
    t.ok(#events == 6 and events[4] == "xl-dev /xo/a",
         "ring: then a, which held nothing else")
    b:release()
    b = nil
    orrery.gc()
    t.is(orrery.live_count(), live0, "ring: everything gone")
end

-- --- Done ---------------------------------------------------------------

hook:remove()
hold.probe:unparent()
hold.probe:release()
hold.probe = nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
