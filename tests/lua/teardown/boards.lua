-- Example boards built and torn down many ways: the machine unparented
-- whole, its devices unparented first in random orders, or the script's
-- references dropped in random orders; with every device unrealized
-- first or not; with a collection between steps, with immediate
-- release() and no collection, or with no collection until the end.
-- Every round ends with zero live objects, every object finalized
-- exactly once, and where nothing else holds them, in the documented
-- order (DESIGN §2): a parent before its children, children newest first.
--
-- The boards: a local one defined here, and every board module found in
-- the device library (orrery/boards/*.lua on package.path).
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")

local SEEDS = { 1, 2, 3, 4, 5 }
-- Run only the rounds whose label contains this text (for debugging).
local ONLY = os.getenv("TEARDOWN_ONLY")

-- --- A local board -------------------------------------------------------

orrery.type{
    name = "tdl-uart", parent = "device",
    gpio_out = { "irq" },
    init = function(self, st)
        st.tx = {}
        orrery.io(self, "regs", 0x100, {
            read = function(_, s, offset)
                return offset == 4 and #s.tx or 0
            end,
            write = function(obj, s, offset, value)
                if offset == 0 then
                    s.tx[#s.tx + 1] = string.char(value)
                    obj:set_gpio("irq", 1)
                end
            end,
            min_access = 1, max_access = 4,
        })
    end,
    methods = { text = function(_, st) return table.concat(st.tx) end },
}

orrery.type{
    name = "tdl-intc", parent = "device",
    gpio_in = { irq = { count = 8, set = function(_, st, n, level)
        local b = bit.lshift(1, n)
        st.pending = level ~= 0 and bit.bor(st.pending, b)
                     or bit.band(st.pending, bit.bnot(b))
    end } },
    init = function(self, st)
        st.pending = 0
        orrery.io(self, "regs", 0x100, {
            read = function(_, s) return s.pending end,
            write = function() end,
            min_access = 4, max_access = 4,
        })
    end,
}

-- A private container holding the device's own MMIO and RAM.
orrery.type{
    name = "tdl-pad", parent = "device",
    init = function(self, st)
        st.ctrl = 0
        local regs = orrery.container(self, "regs", 0x2000)
        regs:add(0, orrery.io(self, "ctrl", 0x10, {
            read = function(_, s) return s.ctrl end,
            write = function(_, s, _, v) s.ctrl = v end,
        }))
        regs:add(0x1000, orrery.ram(self, "data", 0x1000))
    end,
    -- A Lua unrealize hook that makes proxies of the device and of its
    -- regions: when it runs because the machine is finalizing, those
    -- proxies must not keep the device past its turn.
    unrealize = function(self, st)
        st.ctrl = 0
        st.seen = self:child("data").size + self:child("ctrl").size
    end,
}

-- A bus master with an address space of its own over its private bus, on
-- which an alias of the machine's RAM (named by its link) appears at 0.
-- The alias points up the tree: no reference, kept across unrealize.
orrery.type{
    name = "tdl-dma", parent = "device",
    props = { ram = { type = "link", target = "memory-region" } },
    init = function(self)
        orrery.io(self, "regs", 0x20, { read = function() return 0 end,
                                        write = function() end })
        local bus = orrery.container(self, "bus", 0x100000000)
        orrery.address_space(self, "dma-as", bus)
    end,
    realize = function(self)
        local ram = self:get("ram")
        if ram == nil then
            error("tdl-dma: the ram link is not set", 0)
        end
        if self:child("ram-window") == nil then
            self:child("bus"):add(0, orrery.alias(self, "ram-window", ram, 0,
                                                  ram.size))
        end
    end,
    methods = {
        copy = function(self, _, src, dst, len)
            local as = self:child("dma-as")
            local data, err = as:read_bytes(src, len)
            if err then
                return false, err
            end
            return as:write_bytes(dst, data)
        end,
    },
}

local LOCAL = {}

-- The machine "/<name>": RAM, a ROM and a low alias of it, an interrupt
-- controller, two UARTs, a scratch pad and a DMA engine, realized and
-- mapped. The pad has a Lua unrealize hook (see also the last section).
function LOCAL.build(name)
    local m = orrery.machine(name)
    local ram = orrery.ram(m, "ram", 0x10000)
    local rom = orrery.rom(m, "rom", 0x1000, "\x13\x00\x00\x00")
    local low = orrery.alias(m, "rom-low", rom, 0, 0x100)
    local function dev(typename, dname, props)
        return orrery.new(typename, { parent = m, name = dname, props = props })
    end
    local intc = dev("tdl-intc", "intc")
    local uart0 = dev("tdl-uart", "uart0")
    local uart1 = dev("tdl-uart", "uart1")
    local pad = dev("tdl-pad", "pad")
    local dma = dev("tdl-dma", "dma", { ram = ram })
    uart0:connect("irq", intc, "irq", 0)
    uart1:connect("irq", intc, "irq", 1)
    orrery.transaction(function()
        m.sysmem:add(0x80000000, ram)
        m.sysmem:add(0x1000, rom)
        m.sysmem:add(0, low)
        for _, d in ipairs({ intc, uart0, uart1, pad, dma }) do
            d:realize()
        end
        m.sysmem:add(0x10000000, intc:child("regs"))
        m.sysmem:add(0x10001000, uart0:child("regs"))
        m.sysmem:add(0x10002000, uart1:child("regs"))
        m.sysmem:add(0x10003000, pad:child("regs"))
        m.sysmem:add(0x10005000, dma:child("regs"))
    end)
    return m
end

LOCAL.devices = sysbus.devices

-- Uses every device once; returns nil or what went wrong.
function LOCAL.exercise(m)
    local mem = m.memory
    mem:write8(0x10001000, 0x68)
    mem:write8(0x10001000, 0x69)
    if m:child("uart0"):text() ~= "hi" then
        return "uart0 did not see its bytes"
    end
    if mem:read32(0x10000000) ~= 1 then
        return "the uart's irq did not reach the intc"
    end
    mem:write32(0x10003000, 0x600d)
    if mem:read32(0x10003000) ~= 0x600d then
        return "pad ctrl register"
    end
    mem:write32(0x10003000 + 0x1000, 0xcafe)
    if mem:read32(0x10003000 + 0x1000) ~= 0xcafe then
        return "pad data RAM"
    end
    mem:write32(0x80000000, 0x12345678)
    if not m:child("dma"):copy(0, 0x100, 4) or
            mem:read32(0x80000100) ~= 0x12345678 then
        return "dma copy through its own address space"
    end
    if mem:read32(0) ~= 0x13 then
        return "the ROM through its low alias"
    end
    return nil
end

-- --- The boards of the device library -----------------------------------

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
    table.sort(names)
    return names
end

-- Board module names from every orrery/boards directory on package.path,
-- and from the source tree this file is in (added to package.path).
local function find_boards()
    local src = debug.getinfo(1, "S").source:match("^@(.*)$") or ""
    local top = src:match("^(.*)/tests/lua/teardown/[^/]+$")
    if top then
        local lib = top .. "/scripts/?.lua"
        if not package.path:find(lib, 1, true) then
            package.path = package.path .. ";" .. lib
        end
    end
    local names, seen = {}, {}
    for template in package.path:gmatch("[^;]+") do
        local base = template:match("^(.*)/%?%.lua$")
        for _, n in ipairs(base and lua_files(base .. "/orrery/boards") or {}) do
            if not seen[n] then
                seen[n] = true
                names[#names + 1] = n
            end
        end
    end
    return names
end

local boards = { { name = "local", mod = LOCAL, strict = true } }
for _, n in ipairs(find_boards()) do
    local ok, mod = pcall(require, "orrery.boards." .. n)
    if not t.ok(ok and type(mod) == "table" and type(mod.build) == "function"
                and type(mod.devices) == "function",
                "board " .. n .. ": loads, with build() and devices()") then
        t.diag(tostring(mod))
    else
        boards[#boards + 1] = { name = n, mod = mod }
    end
end
t.note("boards: " .. #boards - 1 .. " found, and the local one")

-- --- Recording ----------------------------------------------------------

local log = {}
local hook = orrery.on_finalize(function(ev)
    log[#log + 1] = { type = ev.type, name = ev.name, path = ev.path }
end)

-- Proxies kept across collections live here and nowhere else: a proxy in
-- a local of a function that calls orrery.gc() would keep its object.
local hold = {}

local function settle()
    orrery.gc()
end

local counter = 0
local function fresh_name()
    counter = counter + 1
    return "tb" .. counter
end

local function shuffled(list)
    local out = {}
    for i, x in ipairs(list) do
        out[i] = x
    end
    for i = #out, 2, -1 do
        local j = math.random(i)
        out[i], out[j] = out[j], out[i]
    end
    return out
end

local function is_under(path, top)
    return path == top or path:sub(1, #top + 1) == top .. "/"
end

-- The object at @path and what is below it, walked through children():
-- { nodes = path -> { path, type, name, parent, kids, device }, root }.
local function snapshot(path)
    local snap = { nodes = {}, root = path }
    local function walk(obj, parent)
        local n = { path = obj.path, type = obj.type, name = obj.name,
                    parent = parent, kids = {}, device = obj:is_a("device") }
        snap.nodes[n.path] = n
        for _, c in ipairs(obj:children()) do
            n.kids[#n.kids + 1] = c.path
            walk(c, n.path)
        end
    end
    walk(orrery.resolve(path), nil)
    return snap
end

-- The same from the live registry, without making a proxy (no kids).
local function snapshot_live(path)
    local snap = { nodes = {}, root = path }
    for _, l in ipairs(orrery.live()) do
        if l.path and is_under(l.path, path) then
            snap.nodes[l.path] = { path = l.path, type = l.type, name = l.name,
                                   parent = l.path:match("^(.*)/[^/]+$"),
                                   kids = {} }
        end
    end
    return snap
end

-- Holder kinds that unrealizing a device cuts (DESIGN §2): a device held
-- only by these and its parent dies in its turn when its parent goes.
local CUT_BY_UNREALIZE = { subregion = true, alias = true, ["as-root"] = true }

-- Reads every node's holders (call after a collection) and marks as
-- unclean the nodes anything else holds: a Lua value other than our own
-- @ours[path] proxies, a link, a container or alias of a non-device...
local function read_holders(snap, ours)
    for _, l in ipairs(orrery.live()) do
        local n = snap.nodes[l.path]
        if n then
            n.holders = l.holders
            for _, h in ipairs(l.holders) do
                local kind, rest = h:match("^(%S+)%s*(.*)$")
                if kind == "lua" then
                    local count = tonumber(rest:match("^x(%d+)")) or 1
                    if count > (ours[l.path] or 0) then
                        n.unclean = h
                    end
                elseif kind ~= "parent" and kind ~= "flatview" and
                        not (n.device and CUT_BY_UNREALIZE[kind]) then
                    n.unclean = h
                end
            end
        end
    end
end

-- The finalize events expected when @root's last reference goes, as
-- "type path" lines: the documented order, parent first, children newest
-- first, depth first; leaving out what @skip(node) names and all below.
local function expected_cascade(snap, root, skip)
    local out = {}
    local function visit(path)
        local n = snap.nodes[path]
        if n == nil or skip(n) then
            return
        end
        out[#out + 1] = n.type .. " " .. path
        for i = #n.kids, 1, -1 do
            visit(n.kids[i])
        end
    end
    visit(root)
    return out
end

-- The events from log[from] on whose path is in @lines, as "type path".
local function events_among(from, lines)
    local want = {}
    for _, line in ipairs(lines) do
        want[line] = true
    end
    local out = {}
    for i = from, #log do
        local line = log[i].type .. " " .. tostring(log[i].path)
        if want[line] then
            out[#out + 1] = line
        end
    end
    return out
end

-- Regions of the devices in @devpaths still visible in the memory of
-- the machine in hold.m, read from the flat view's text so that no
-- proxy of a region (which would hold its device) is made.
local function mapped_from(devpaths)
    local found = {}
    local text = orrery.mtree(hold.m, { flat = true, owners = true })
    for line in text:gmatch("[^\n]+") do
        local owner = line:match("owner:{%S+ path=([^}]+)}")
        for _, d in ipairs(devpaths) do
            if owner and is_under(owner, d) then
                found[#found + 1] = line:match("^%s*(.-)%s*$")
            end
        end
    end
    return found
end

-- The unit a proxy of @obj holds: its owner's unit for an owned region.
local function unit_of(obj)
    if obj:is_a("memory-region") and obj.owner ~= nil then
        return unit_of(obj.owner)
    end
    return obj.path
end

-- Whether @obj's proxy is one we hold (there is one proxy per object).
local function held(obj)
    if rawequal(obj, hold.m) then
        return true
    end
    for _, r in pairs(hold.refs or {}) do
        if rawequal(obj, r) then
            return true
        end
    end
    return false
end

-- Resolves @path, unparents it, and drops the proxy: released at once in
-- "release" mode (unless it is one we hold, or @shared: one the board's
-- own state holds), else left to the next collection.
local function unparent_path(path, mode, shared)
    local obj = orrery.resolve(path)
    obj:unparent()
    if mode == "release" and not shared and not held(obj) then
        obj:release()
    end
end

-- --- Learning what a board's devices remove when unrealized -------------

-- Paths (relative to the machine) that unrealize removes: objects a
-- device makes at realize and drops at unrealize. They die before their
-- parent, by the device's own hand, so they are left out of the order
-- checks (and still must be finalized exactly once).
local function learn_volatile(board)
    local vol, n = {}, 0
    local name = fresh_name()
    ;(function()
        local m = board.mod.build(name)
        local mpath = m.path
        for _, d in ipairs(board.mod.devices(m)) do
            local before = snapshot(d.path)
            d:unrealize()
            local after = snapshot(d.path)
            for p in pairs(before.nodes) do
                if not after.nodes[p] then
                    vol[p:sub(#mpath + 1)] = true
                    n = n + 1
                end
            end
        end
        m:unparent()
    end)()
    settle()
    return vol, n
end

-- --- One round ----------------------------------------------------------

-- Builds the board in hold.m; returns the machine's path, its devices'
-- paths and a list of problems with what was built.
local function build(board, name)
    local problems = {}
    local m = board.mod.build(name)
    hold.m = m
    if m.path ~= "/" .. name then
        problems[#problems + 1] = "machine at " .. tostring(m.path)
    end
    if not m:is_a("machine") then
        problems[#problems + 1] = "not a machine: " .. m.type
    end
    local devpaths = {}
    for _, d in ipairs(board.mod.devices(m)) do
        devpaths[#devpaths + 1] = d.path
        if d.parent ~= m then
            problems[#problems + 1] = d.path .. " is not the machine's child"
        end
        if not d.realized then
            problems[#problems + 1] = d.path .. " is not realized"
        end
    end
    if #devpaths == 0 then
        problems[#problems + 1] = "no devices"
    end
    if #m.memory:flatview() == 0 then
        problems[#problems + 1] = "nothing mapped"
    end
    if board.mod.exercise then
        problems[#problems + 1] = board.mod.exercise(m)
    end
    return m.path, devpaths, problems
end

-- Unrealizes every device in @order; returns the problems seen.
local function unrealize_all(order)
    local problems = {}
    for _, p in ipairs(order) do
        local d = orrery.resolve(p)
        d:unrealize()
        if d.realized then
            problems[#problems + 1] = p .. " still realized"
        end
    end
    for _, p in ipairs(mapped_from(order)) do
        problems[#problems + 1] = p .. " still mapped"
    end
    return problems
end

-- References for the drop-refs way: the machine, sysmem, memory, every
-- device, its first region and its first address space (skipping what
-- unrealize removes). Kept in hold.refs; returns their units and kinds.
local function make_refs(mpath, devpaths, volatile)
    local refs, meta = {}, {}
    local function add(obj)
        refs[#refs + 1] = obj
        meta[#meta + 1] = { path = obj.path, unit = unit_of(obj),
                            kind = obj:is_a("address-space") and "as"
                                   or obj:is_a("memory-region") and "region"
                                   or "object" }
    end
    local m = orrery.resolve(mpath)
    add(m)
    add(m.sysmem)
    add(m.memory)
    for _, p in ipairs(devpaths) do
        local d = orrery.resolve(p)
        add(d)
        local got = {}
        for _, c in ipairs(d:children()) do
            local kind = c:is_a("memory-region") and "region"
                         or c:is_a("address-space") and "as"
            if kind and not got[kind] and not volatile[c.path:sub(#mpath + 1)] then
                got[kind] = true
                add(c)
            end
        end
    end
    hold.refs = refs
    hold.m = nil -- the same proxy as refs[1]
    return meta
end

-- Uses every proxy still held (in ways that make no other proxy, which
-- would hold objects too); returns what raised.
local function touch_refs(meta)
    local problems = {}
    for i, r in pairs(hold.refs) do
        local ok, err = pcall(function()
            if meta[i].kind == "as" then
                r:read(0, 4)
                r:read_bytes(0, 16)
            elseif meta[i].kind == "region" then
                return r.size + r.addr
            else
                return r.name, r.path, r:is_a("device") and r.realized
            end
        end)
        if not ok then
            problems[#problems + 1] = meta[i].path .. ": " .. tostring(err)
        end
    end
    return problems
end

-- What the model says must be alive: everything below a unit we hold, and
-- all of the machine while it is in the tree.
local function model_alive(snap, volatile, mpath, units)
    local alive = {}
    for path in pairs(snap.nodes) do
        if not volatile[path:sub(#mpath + 1)] then
            local p = path
            while p do
                if units[p] then
                    alive[path] = true
                    break
                end
                p = snap.nodes[p] and snap.nodes[p].parent
            end
        end
    end
    return alive
end

-- Differences between the live objects of @snap and @alive: missing are
-- always wrong; extra only when @exact.
local function model_diff(snap, volatile, mpath, alive, exact)
    local live, diffs = {}, {}
    for _, l in ipairs(orrery.live()) do
        if l.path and snap.nodes[l.path] then
            live[l.path] = true
        end
    end
    for p in pairs(alive) do
        if not live[p] then
            diffs[#diffs + 1] = "dead but held: " .. p
        end
    end
    if exact then
        for p in pairs(live) do
            if not alive[p] and not volatile[p:sub(#mpath + 1)] then
                diffs[#diffs + 1] = "alive but not held: " .. p
            end
        end
    end
    table.sort(diffs)
    return diffs
end

local function report(ok, name, problems)
    if not t.ok(ok, name) then
        for i = 1, math.min(#problems, 12) do
            t.diag(problems[i])
        end
    end
end

local function same_list(got, want, name)
    if not t.is(table.concat(got, "\n"), table.concat(want, "\n"), name) then
        for i = 1, math.max(#got, #want) do
            if got[i] ~= want[i] then
                t.diag(("first difference at %d: got %s, expected %s")
                    :format(i, tostring(got[i]), tostring(want[i])))
                break
            end
        end
    end
end

-- The machine's last reference goes; with @exact, checks the cascade
-- against @snap. Returns the log index where it started.
local function drop_machine(label, mode, snap, skip)
    local mark = #log + 1
    hold.m:unparent()
    if mode == "release" then
        hold.m:release()
    end
    hold.m = nil
    if mode == "gc" then
        settle()
    end
    if mode ~= "none" then
        local want = expected_cascade(snap, snap.root, skip)
        same_list(events_among(mark, want), want,
                  label .. ": the machine, then children newest first")
    end
    return mark
end

local function round(board, way, unrealize, mode, seed)
    local label = ("%s %s%s %s seed=%d"):format(board.name, way,
        unrealize and " unrealize-first" or "", mode, seed)
    math.randomseed(seed)
    local live0 = orrery.live_count()
    local volatile = board.volatile
    log = {}
    local mpath, devpaths, problems = build(board, fresh_name())
    report(#problems == 0, label .. ": built and working", problems)
    if mode ~= "none" then
        settle()
    end
    local snap0 = mode == "none" and snapshot_live(mpath) or snapshot(mpath)

    if unrealize then
        local bad = unrealize_all(shuffled(devpaths))
        report(#bad == 0, label .. ": unrealized, nothing of them mapped", bad)
    end

    -- The tree as teardown starts, with who holds what.
    local snap = snap0
    if mode ~= "none" then
        snap = snapshot(mpath)
        settle()
        read_holders(snap, { [mpath] = 1 })
    end
    local function skip(n)
        return n.unclean or volatile[n.path:sub(#mpath + 1)]
    end

    if way == "machine" then
        local mark = drop_machine(label, mode, snap, skip)
        settle()
        report(log[mark] and log[mark].path == mpath,
               label .. ": the machine finalized first",
               { "first: " .. tostring(log[mark] and log[mark].path) })
    elseif way == "devices-first" then
        local bad = {}
        for _, p in ipairs(shuffled(devpaths)) do
            local mark = #log + 1
            local n = snap.nodes[p]
            unparent_path(p, mode, n and n.unclean and n.unclean:find("^lua"))
            if mode == "gc" then
                settle()
            end
            if mode ~= "none" then
                local want = expected_cascade(snap, p, skip)
                local got = events_among(mark, want)
                if table.concat(got, ",") ~= table.concat(want, ",") then
                    bad[#bad + 1] = p .. ": got " .. table.concat(got, ", ")
                                    .. "; expected " .. table.concat(want, ", ")
                end
                for _, r in ipairs(mapped_from({ p })) do
                    bad[#bad + 1] = r .. " still mapped after unparent"
                end
            end
        end
        report(#bad == 0, label .. ": each device went at its unparent", bad)
        for _, p in ipairs(devpaths) do
            local n = snap.nodes[p]
            if n then
                n.gone = true
            end
        end
        local skip_gone = function(n) return n.gone or skip(n) end
        drop_machine(label, mode, snap, skip_gone)
    else -- drop-refs
        local meta = make_refs(mpath, devpaths, volatile)
        if mode ~= "none" then
            settle()
        end
        local steps = {}
        for i = 1, #meta do
            steps[i] = i
        end
        steps[#steps + 1] = "unparent"
        local exact, bad = true, {}
        for _, n in pairs(snap.nodes) do
            exact = exact and not n.unclean
        end
        local parented = true
        for _, s in ipairs(shuffled(steps)) do
            if s == "unparent" then
                unparent_path(mpath, mode)
                parented = false
            elseif mode == "release" then
                hold.refs[s]:release()
                hold.refs[s] = nil
            else
                hold.refs[s] = nil
            end
            if mode == "gc" then
                settle()
            end
            if mode ~= "none" then
                local units = {}
                if parented then
                    units[mpath] = true
                end
                for i in pairs(hold.refs) do
                    units[meta[i].unit] = true
                end
                local alive = model_alive(snap, volatile, mpath, units)
                for _, d in ipairs(model_diff(snap, volatile, mpath, alive,
                                              exact)) do
                    bad[#bad + 1] = "after dropping " .. tostring(
                        s == "unparent" and s or meta[s].path) .. ": " .. d
                end
                for _, d in ipairs(touch_refs(meta)) do
                    bad[#bad + 1] = d
                end
            end
        end
        report(#bad == 0, label .. ": alive exactly while held"
               .. (exact and "" or " (at least)"), bad)
        hold.refs = nil
    end

    settle()
    -- Every object of the board finalized exactly once.
    local count, bad = {}, {}
    for _, ev in ipairs(log) do
        if ev.path then
            count[ev.path] = (count[ev.path] or 0) + 1
        end
    end
    for p in pairs(snap0.nodes) do
        if count[p] ~= 1 then
            bad[#bad + 1] = p .. " finalized " .. (count[p] or 0) .. " times"
        end
    end
    for p, c in pairs(count) do
        if c > 1 and not snap0.nodes[p] then
            bad[#bad + 1] = p .. " finalized " .. c .. " times"
        end
    end
    table.sort(bad)
    report(#bad == 0, label .. ": every object finalized exactly once", bad)
    if not t.is(orrery.live_count(), live0, label .. ": zero live objects") then
        t.diag(orrery.leaks() or "")
    end
end

-- --- The rounds ---------------------------------------------------------

for _, board in ipairs(boards) do
    local n
    board.volatile, n = learn_volatile(board)
    local list = {}
    for p in pairs(board.volatile) do
        list[#list + 1] = p
    end
    table.sort(list)
    if board.strict then
        t.is(table.concat(list, " "), "",
             board.name .. ": unrealize removes nothing")
    elseif n > 0 then
        t.note(board.name .. ": unrealize removes " .. table.concat(list, " "))
    end
    t.is(orrery.live_count(), 0, board.name .. ": a trial build left nothing")

    -- Who holds what in a freshly built board, with only the machine's
    -- proxy held: the exact checks need every object held by its parent
    -- alone (or, for a device, by links unrealize cuts).
    local name = fresh_name()
    local mpath = (function()
        local m = board.mod.build(name)
        hold.m = m
        return m.path
    end)()
    settle()
    local snap = (function() return snapshot(mpath) end)()
    settle()
    read_holders(snap, { [mpath] = 1 })
    local unclean = {}
    for p, node in pairs(snap.nodes) do
        if node.unclean then
            unclean[#unclean + 1] = p .. " (" .. node.unclean .. ")"
        end
    end
    table.sort(unclean)
    if board.strict then
        report(#unclean == 0, board.name .. ": every object held by its "
               .. "parent alone", unclean)
    elseif #unclean > 0 then
        t.note(board.name .. ": held by more than the parent (left out of "
               .. "the order checks): " .. table.concat(unclean, ", "))
    end
    hold.m:unparent()
    hold.m = nil
    settle()

    for _, way in ipairs({ "machine", "devices-first", "drop-refs" }) do
        for _, unrealize in ipairs({ false, true }) do
            for _, mode in ipairs({ "gc", "release", "none" }) do
                for _, seed in ipairs(SEEDS) do
                    local label = ("%s %s%s %s seed=%d"):format(board.name,
                        way, unrealize and " unrealize-first" or "", mode, seed)
                    if not ONLY or label:find(ONLY, 1, true) then
                        round(board, way, unrealize, mode, seed)
                    end
                end
            end
        end
    end
end

-- --- A Lua unrealize hook during teardown --------------------------------
-- A realized device whose type has a Lua unrealize hook, under a machine
-- that is unparented and released with nothing else held: the machine's
-- release of its children unrealizes the device, and the hook's `self`
-- is a proxy made for the hook. The binding releases it when the hook
-- returns, so the device is finalized in its turn, exactly as a device
-- without the hook is.

orrery.type{ name = "tdl-hooked", parent = "device",
             unrealize = function() end }
orrery.type{ name = "tdl-plain", parent = "device" }

local function hooked_round(with_hook)
    (function()
        local m = orrery.machine("hooked")
        orrery.new(with_hook and "tdl-hooked" or "tdl-plain",
                   { parent = m, name = "a" }):realize()
        orrery.new("tdl-plain", { parent = m, name = "b" }):realize()
        hold.m = m
    end)()
    settle()
    log = {}
    hold.m:unparent()
    hold.m:release()
    hold.m = nil
    local paths = {}
    for _, ev in ipairs(log) do
        paths[#paths + 1] = ev.path
    end
    settle()
    return table.concat(paths, " ")
end

local documented = "/hooked /hooked/b /hooked/a /hooked/memory /hooked/sysmem"
t.is(hooked_round(false), documented,
     "a device without unrealize hook is finalized in its turn")
t.is(hooked_round(true), documented,
     "a device with a Lua unrealize hook is finalized in its turn too, " ..
     "not at the next collection")
t.is(orrery.live_count(), 0, "after a collection, nothing is left")

hook:remove()
settle()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
