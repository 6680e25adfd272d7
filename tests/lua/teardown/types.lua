-- Every registered concrete type, created and destroyed under a scratch
-- container without realizing; every device type also realized and
-- unrealized first. The QOM tree must come back byte-identical and no
-- object may outlive the round. Abstract types must refuse to be made.
local orrery = require("orrery")
local t = require("orrery.test")

-- --- The device library --------------------------------------------------

-- Directories "<dir>/orrery[/sub]" for every "<dir>/?.lua" template of
-- package.path, the order require() searches them.
local function library_dirs(sub)
    local dirs, seen = {}, {}
    for template in package.path:gmatch("[^;]+") do
        local base = template:match("^(.*)/%?%.lua$")
        local dir = base and (base .. "/orrery" .. (sub and "/" .. sub or ""))
        if dir and not seen[dir] then
            seen[dir] = true
            dirs[#dirs + 1] = dir
        end
    end
    return dirs
end

-- The names of the *.lua files in @dir (none if it does not exist).
local function lua_files(dir)
    local names = {}
    local ls = io.popen("ls -1 '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
    if ls then
        for line in ls:lines() do
            names[#names + 1] = line:match("^([%w_%-]+)%.lua$")
        end
        ls:close()
    end
    return names
end

-- The modules of the device library and its boards: the three named
-- ones whether or not they exist yet, and whatever else is there.
local function library_modules()
    local mods, seen = {}, {}
    local function add(name)
        if not seen[name] then
            seen[name] = true
            mods[#mods + 1] = name
        end
    end
    for _, dir in ipairs(library_dirs()) do
        for _, name in ipairs(lua_files(dir)) do
            if name ~= "test" then
                add("orrery." .. name)
            end
        end
    end
    for _, dir in ipairs(library_dirs("boards")) do
        for _, name in ipairs(lua_files(dir)) do
            add("orrery.boards." .. name)
        end
    end
    table.sort(mods)
    return mods
end

-- Every module of the library loads (and its types are registered).
local modules = library_modules()
t.ok(#modules >= 8, "library modules found: " .. #modules)
for _, mod in ipairs(modules) do
    local ok, err = pcall(require, mod)
    t.ok(ok, "load " .. mod)
    if not ok then
        t.diag(tostring(err))
    end
end

-- --- Lua types of our own, so the Lua paths are covered too --------------

orrery.type{
    name = "tt-plain",
    props = { n = { type = "uint", default = 3 } },
    init = function(self, st) st.self = self end, -- a state cycle, cut at unparent
}
orrery.type{
    name = "tt-owner", parent = "device",
    init = function(self, st)
        local box = orrery.container(self, "box", 0x1000)
        box:add(0, orrery.ram(self, "ram", 0x100))
        box:add(0x100, orrery.io(self, "regs", 0x10, {
            read = function(_, s) return s.r or 0 end,
            write = function(_, s, _, v) s.r = v end,
        }))
        orrery.address_space(self, "view", box)
        st.realizes = 0
    end,
    realize = function(self, st)
        st.realizes = st.realizes + 1
        orrery.new("tt-plain", { parent = self, name = "made-at-realize" })
    end,
    unrealize = function(self)
        self:child("made-at-realize"):unparent()
    end,
}
orrery.type{
    name = "tt-linker", parent = "device",
    props = { ram = { type = "link", target = "memory-region" },
              peer = { type = "link", target = "device" } },
    realize = function(self)
        if self:get("ram") == nil or self:get("peer") == nil then
            error("tt-linker: both links must be set", 0)
        end
    end,
}

-- --- Helpers -------------------------------------------------------------

local finalized = {}
local hook = orrery.on_finalize(function(ev)
    finalized[#finalized + 1] = ev
end)

local scratch_holder = {
    orrery.new("container", { parent = orrery.root, name = "scratch" }),
}
local function scratch() return scratch_holder[1] end

-- Whether an event names the object @path of type @typename.
local function saw(path, typename)
    for _, ev in ipairs(finalized) do
        if ev.path == path and ev.type == typename then
            return true
        end
    end
    return false
end

-- The concrete types among orrery.types(), and the abstract ones.
local function classify()
    local concrete, abstract = {}, {}
    for _, name in ipairs(orrery.types()) do
        local info = orrery.type_info(name)
        if info.abstract then
            abstract[#abstract + 1] = name
        else
            concrete[#concrete + 1] = name
        end
    end
    return concrete, abstract
end

-- Whether type @name is @base or below it.
local function is_a(name, base)
    if name == base then
        return true
    end
    for _, n in ipairs(orrery.types(base)) do
        if n == name then
            return true
        end
    end
    return false
end

-- A concrete type that is-a @typename (itself if concrete), or nil.
local function concrete_below(typename)
    if not orrery.type_info(typename).abstract then
        return typename
    end
    for _, name in ipairs(orrery.types(typename)) do
        if not orrery.type_info(name).abstract then
            return name
        end
    end
    return nil
end

-- Gives every unset link property of @obj a target made under the
-- scratch container; returns the targets' proxies (to destroy after).
local function satisfy_links(obj, typename)
    local made = {}
    for _, p in ipairs(orrery.type_info(typename).props) do
        local target = p.type:match("^link<(.+)>$")
        if target and obj:get(p.name) == nil then
            local made_obj
            if is_a(target, "memory-region") then
                made_obj = orrery.ram(scratch(), "link-" .. p.name, 0x1000)
            else
                local ctype = concrete_below(target)
                if ctype == nil then
                    error("no concrete type for link<" .. target .. ">", 0)
                end
                made_obj = orrery.new(ctype, { parent = scratch(),
                                               name = "link-" .. p.name })
            end
            obj:set(p.name, made_obj)
            made[#made + 1] = made_obj
        end
    end
    return made
end

-- Unparents every object in @list, last first, and drops its proxy: at
-- once with release(), except for a region with an owner, which its
-- unparent finalized (its proxy's reference on the owner is queued).
local function destroy(list)
    for i = #list, 1, -1 do
        local owned = list[i]:is_a("memory-region") and list[i].owner ~= nil
        list[i]:unparent()
        if not owned then
            list[i]:release()
        end
        list[i] = nil
    end
    orrery.gc()
end

-- Runs @fn(), which makes objects (under the scratch container, or held
-- by the script alone), checks them and returns the proxies of those to
-- destroy; destroys them, then checks that the QOM tree is byte-identical
-- to before, and that the live count and the hook errors are as before.
local function round(what, fn)
    orrery.gc()
    local tree, live = orrery.qom_tree(), orrery.live_count()
    local errors = #orrery.hook_errors()
    finalized = {}
    local ok, err = pcall(function()
        destroy(fn())
    end)
    orrery.gc()
    if not ok then
        t.ok(false, what .. ": " .. tostring(err))
        return false
    end
    local same = t.is(orrery.qom_tree(), tree, what .. ": qom-tree unchanged")
    if not same then
        t.diag("before:\n" .. tree .. "\nafter:\n" .. orrery.qom_tree())
    end
    t.is(orrery.live_count(), live, what .. ": no object left behind")
    t.is(#orrery.hook_errors(), errors, what .. ": no hook raised")
    if #orrery.hook_errors() > errors then
        t.diag(orrery.hook_errors()[#orrery.hook_errors()])
    end
    return true
end

-- --- Types that cannot be made by orrery.new without arguments ----------

-- Every type here was tried: orrery.new makes all of the core's concrete
-- types without arguments (a "memory-region" is a 0-byte RAM, an
-- "address-space" has no root, a "machine" gets its sysmem and memory).
-- Regions and address spaces are also made the way scripts make them, by
-- the constructors below. Add a type here, with the reason, only if it
-- genuinely needs arguments that orrery.new cannot give.
local CANNOT_NEW = {}

-- --- 1. Abstract types refuse to be made and leave nothing --------------

local concrete, abstract = classify()
t.ok(#concrete >= 5, "concrete types found: " .. #concrete)
t.note("concrete types: " .. table.concat(concrete, " "))
t.note("abstract types: " .. table.concat(abstract, " "))
for _, name in ipairs(abstract) do
    round("abstract " .. name, function()
        t.raises(function()
            orrery.new(name, { parent = scratch(), name = "x" })
        end, "^orrery: new: .*abstract", "abstract " .. name .. ": refused")
        return {}
    end)
end

-- --- 2. Every concrete type: create and destroy, never realized ---------

for _, name in ipairs(concrete) do
    if CANNOT_NEW[name] then
        t.note("not made: " .. name .. ": " .. CANNOT_NEW[name])
    else
        round("new " .. name, function()
            local obj = orrery.new(name, { parent = scratch(), name = "x" })
            t.is(obj.path, "/scratch/x", "new " .. name .. ": in the tree")
            t.is(obj.type, name, "new " .. name .. ": its type")
            if obj:is_a("device") then
                t.is(obj.realized, false, "new " .. name .. ": not realized")
            end
            return { obj }
        end)
        t.ok(saw("/scratch/x", name), "new " .. name .. ": finalized")
        -- Never parented: held by the script's reference alone.
        round("free " .. name, function()
            local obj = orrery.new(name)
            t.is(obj.path, nil, "free " .. name .. ": no path")
            obj:release()
            return {}
        end)
        t.ok(#finalized >= 1 and finalized[1].type == name,
             "free " .. name .. ": finalized on release")
    end
end

-- --- 3. Every device type: create, realize, unrealize, destroy ----------

-- Extra set-up a device type needs before it can realize, beyond links
-- (which are satisfied generically): name = function(dev) -> proxies.
local REALIZE_SETUP = {}

for _, name in ipairs(concrete) do
    if is_a(name, "device") and not CANNOT_NEW[name] then
        for _, via in ipairs({ "unrealize", "unparent" }) do
            local what = "realize " .. name .. " (then " .. via .. ")"
            round(what, function()
                local dev = orrery.new(name, { parent = scratch(), name = "d" })
                local made = satisfy_links(dev, name)
                if REALIZE_SETUP[name] then
                    for _, o in ipairs(REALIZE_SETUP[name](dev)) do
                        made[#made + 1] = o
                    end
                end
                local ok, err = pcall(dev.realize, dev)
                t.ok(ok, what .. ": realized")
                if not ok then
                    t.diag(tostring(err))
                end
                t.is(dev.realized, ok, what .. ": realized flag")
                if via == "unrealize" then
                    dev:unrealize()
                    t.is(dev.realized, false, what .. ": unrealized")
                end
                made[#made + 1] = dev -- destroyed first
                return made
            end)
            t.ok(saw("/scratch/d", name), what .. ": finalized")
        end
    end
end

-- --- 4. Regions and address spaces the way scripts make them ------------

local function ops()
    return { read = function() return 0 end, write = function() end }
end
local REGION_MAKERS = {
    ram = function(owner, n) return orrery.ram(owner, n, 0x100) end,
    rom = function(owner, n) return orrery.rom(owner, n, 0x100, "\1\2\3") end,
    io = function(owner, n) return orrery.io(owner, n, 0x100, ops()) end,
    container = function(owner, n)
        local c = orrery.container(owner, n, 0x1000)
        c:add(0x10, orrery.ram(c, "inner", 0x10)) -- owned by the container
        return c
    end,
}
local KINDS = { "ram", "rom", "io", "container" }

for _, kind in ipairs(KINDS) do
    round("region " .. kind, function()
        local r = REGION_MAKERS[kind](scratch(), "r")
        t.is(r.kind, kind, "region " .. kind .. ": kind")
        t.ok(r.owner == scratch(), "region " .. kind .. ": owned by scratch")
        return { r }
    end)
    t.ok(saw("/scratch/r", "memory-region"), "region " .. kind .. ": finalized")
    round("free region " .. kind, function()
        local r = REGION_MAKERS[kind](nil, "r")
        t.is(r.owner, nil, "free region " .. kind .. ": no owner")
        r:release()
        return {}
    end)
    t.is(#finalized, kind == "container" and 2 or 1,
         "free region " .. kind .. ": finalized on release")
end

-- An alias of each kind, owned by scratch or free-standing, mapped into a
-- container with the target, and an address space over that container.
for _, kind in ipairs(KINDS) do
    for _, free in ipairs({ false, true }) do
        local what = "alias of " .. kind .. (free and " (free-standing)" or "")
        round(what, function()
            local owner = not free and scratch() or nil
            local box = orrery.container(owner, "box", 0x10000)
            local target = REGION_MAKERS[kind](owner, "target")
            local alias = orrery.alias(owner, "alias", target, 0, 0x80)
            local alias2 = orrery.alias(owner, "alias2", alias, 0x10, 0x20)
            box:add(0, target)
            box:add(0x1000, alias)
            box:add(0x2000, alias2)
            local as = orrery.address_space(owner, "as", box)
            t.ok(#as:flatview() >= 1, what .. ": a flat view")
            t.ok(alias2.alias_target == alias, what .. ": alias of an alias")
            if free then
                -- Free-standing: each is its own unit, held by the script.
                for _, o in ipairs({ as, alias2, alias, target, box }) do
                    o:release()
                end
                return {}
            end
            return { box, target, alias, alias2, as }
        end)
    end
end

-- Address spaces over a container of another owner, and of a machine.
round("address space over another owner's root", function()
    local a = orrery.new("container", { parent = scratch(), name = "a" })
    local b = orrery.new("container", { parent = scratch(), name = "b" })
    local root = orrery.container(b, "root", 0x1000)
    root:add(0, orrery.ram(b, "ram", 0x100))
    local as = orrery.address_space(a, "as", root)
    t.is(as:read8(0), 0, "an address space over b's root reads b's RAM")
    return { a, b }
end)

-- A machine the way scripts make one: at "/<name>", not under scratch.
round("orrery.machine", function()
    local m = orrery.machine("tm")
    local ram = orrery.ram(m, "ram", 0x1000)
    m.sysmem:add(0x1000, ram)
    t.is(m.path, "/tm", "orrery.machine: at /tm")
    t.ok(m.memory:write32(0x1000, 7), "orrery.machine: RAM is mapped")
    return { m }
end)
t.ok(saw("/tm", "machine"), "orrery.machine: finalized")

-- --- Done ---------------------------------------------------------------

hook:remove()
scratch():unparent()
scratch_holder[1]:release()
scratch_holder[1] = nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
