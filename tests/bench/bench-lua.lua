-- orrery benchmarks — the Lua side of bench-lua.c. Each set-up builds what
-- a case needs and returns a table of timed loops, each a function of the
-- iteration count, with a check and a teardown. Loaded with one argument:
-- noop, a lua_CFunction that returns its argument and does nothing else.
local orrery = require("orrery")
local bit = require("bit")
local jit = require("jit")
local jutil = require("jit.util")
local has_vmdef, vmdef = pcall(require, "jit.vmdef")

local noop = ...
local band = bit.band

local B = {}

local N_OFFSETS = 65536 -- random offsets per access sequence
local MASK = N_OFFSETS - 1
local RAM_BASE = 0x80000000
local RAM_SIZE = 256 * 1024
local MMIO_BASE = 0xfe000000
local MMIO_SIZE = 4096
local DEV_BASE = 0x10000000
local DEV_SIZE = 0x100
local DEV_VALUE = 0x5a17

-- Random multiples of 4 below limit (fixed seed), offs[1 .. N_OFFSETS].
local function random_offsets(limit, seed)
    math.randomseed(seed)
    local offs = {}
    for i = 1, N_OFFSETS do
        offs[i] = (math.random(limit / 4) - 1) * 4
    end
    return offs
end

-- The byte at offset i of the RAM pattern.
local function pattern(i)
    return (i * 131 + 7) % 256
end

-- Unparents the machine m and releases every proxy a set-up kept: the
-- compiled traces of its loops may keep the closures, and so the proxies,
-- alive long after the set-up is dropped.
local function teardown(m, ...)
    local proxies = { m, ... }
    return function()
        m:unparent()
        for _, p in ipairs(proxies) do
            p:release()
        end
    end
end

-- --- JIT trace events ------------------------------------------------------

local watch

local function fmtfunc(func, pc)
    local fi = jutil.funcinfo(func, pc)
    if fi.loc then
        return fi.loc
    elseif fi.ffid and has_vmdef then
        return vmdef.ffnames[fi.ffid]
    elseif fi.addr then
        return string.format("C:%x", fi.addr)
    end
    return "(?)"
end

local function fmterr(err, info)
    if type(err) == "number" and has_vmdef then
        if type(info) == "function" then
            info = fmtfunc(info)
        end
        return string.format(vmdef.traceerr[err], info)
    end
    return tostring(err)
end

local function on_trace(what, tr, func, pc, otr, oex)
    if what == "start" then
        watch.started = watch.started + 1
    elseif what == "stop" then
        local linktype = jutil.traceinfo(tr).linktype
        watch.links[linktype] = (watch.links[linktype] or 0) + 1
    elseif what == "abort" then
        local msg = fmtfunc(func, pc) .. ": " .. fmterr(otr, oex)
        watch.aborts = watch.aborts + 1
        watch.reasons[msg] = (watch.reasons[msg] or 0) + 1
    end
end

-- Starts counting trace events.
function B.watch_start()
    watch = { started = 0, aborts = 0, links = {}, reasons = {} }
    jit.attach(on_trace, "trace")
end

-- Stops, and returns what happened since watch_start, in a line or more.
function B.watch_stop()
    jit.attach(on_trace)
    local links, reasons = {}, {}
    for k, n in pairs(watch.links) do
        links[#links + 1] = string.format("%s %d", k, n)
    end
    table.sort(links)
    for msg, n in pairs(watch.reasons) do
        reasons[#reasons + 1] = string.format("\n    abort %dx at %s", n, msg)
    end
    table.sort(reasons)
    local done = 0
    for _, n in pairs(watch.links) do
        done = done + n
    end
    return string.format("%d traces started, %d compiled (%s), %d aborted%s",
                         watch.started, done,
                         #links > 0 and table.concat(links, ", ") or "none",
                         watch.aborts, table.concat(reasons))
end

function B.jit_status()
    local status = { jit.status() }
    return string.format("%s %s, JIT %s", jit.version, jit.arch,
                         status[1] and "on" or "off")
end

-- --- 1. as:read32 from a Lua loop ----------------------------------------

function B.ram_setup()
    local m = orrery.machine("bench-ram")
    local ram = orrery.ram(m, "ram", RAM_SIZE)
    m.sysmem:add(RAM_BASE, ram)
    local as = m.memory
    local bytes = {}
    for i = 0, 255 do
        bytes[#bytes + 1] = string.char(pattern(i))
    end
    -- Every page written: no read sees the shared zero page.
    as:write_bytes(RAM_BASE, string.rep(table.concat(bytes), RAM_SIZE / 256))
    local offs = random_offsets(RAM_SIZE, 1)
    local read32 = as.read32
    local k = { teardown = teardown(m, ram, as) }

    function k.read(n)
        local s = 0
        for i = 1, n do
            s = s + as:read32(RAM_BASE + offs[band(i, MASK) + 1])
        end
        return s
    end

    function k.read_cached(n)
        local s = 0
        for i = 1, n do
            s = s + read32(as, RAM_BASE + offs[band(i, MASK) + 1])
        end
        return s
    end

    function k.noop(n)
        local s = 0
        for i = 1, n do
            s = s + noop(RAM_BASE + offs[band(i, MASK) + 1])
        end
        return s
    end

    -- A read gives the bytes of the pattern, little-endian.
    function k.check()
        local off = offs[1]
        local want = 0
        for j = 3, 0, -1 do
            want = want * 256 + pattern(off + j)
        end
        local got, err = as:read32(RAM_BASE + off)
        if got ~= want then
            return string.format("read32 gave %s (%s), want %d", tostring(got),
                                 tostring(err), want)
        end
        return nil
    end

    return k
end

-- --- 2. A Lua MMIO read handler --------------------------------------------

function B.mmio_setup()
    local m = orrery.machine("bench-mmio")
    local regs = {}
    for off = 0, MMIO_SIZE - 4, 4 do
        regs[off] = off * 3 + 1
    end
    local function read(_self, _st, offset, _size)
        return regs[offset]
    end
    local io = orrery.io(m, "lio", MMIO_SIZE, {
        read = read, min_access = 4, max_access = 4,
    })
    m.sysmem:add(MMIO_BASE, io)
    local memory = m.memory
    return {
        machine = m, memory = memory, read = read, base = MMIO_BASE,
        teardown = teardown(m, memory, io),
    }
end

function B.hook_error_count()
    return #orrery.hook_errors()
end

-- --- 3. Lua-defined devices in bulk ----------------------------------------

local dev_ops = {
    read = function() return DEV_VALUE end,
    write = function() end,
    min_access = 4, max_access = 4,
}
local dev_type

-- gc_every: orrery.gc() after that many devices (and at the end).
function B.devices_setup(gc_every)
    if not dev_type then
        orrery.type{
            name = "bench-ldev", parent = "device",
            init = function(self)
                orrery.io(self, "io", DEV_SIZE, dev_ops)
            end,
        }
        dev_type = "bench-ldev"
    end
    local m = orrery.machine("bench-dev")
    local sysmem, memory = m.sysmem, m.memory
    local k = { teardown = teardown(m, sysmem, memory) }

    -- Per device: new under the machine, map its region, unmap, unparent,
    -- release both proxies.
    function k.devices(n)
        for i = 1, n do
            local d = orrery.new(dev_type, { parent = m, name = "d" })
            local r = d:child("io")
            sysmem:add(DEV_BASE, r)
            sysmem:del(r)
            d:unparent()
            r:release()
            d:release()
            if i % gc_every == 0 then
                orrery.gc()
            end
        end
        orrery.gc()
    end

    -- The baseline: a free-standing container region, mapped, unmapped
    -- and released.
    function k.containers(n)
        for i = 1, n do
            local r = orrery.container(nil, "c", DEV_SIZE)
            sysmem:add(DEV_BASE, r)
            sysmem:del(r)
            r:release()
            if i % gc_every == 0 then
                orrery.gc()
            end
        end
        orrery.gc()
    end

    -- One device, mapped: its handler answers through the machine's
    -- address space, and it is gone after teardown.
    function k.check()
        local d = orrery.new(dev_type, { parent = m, name = "d" })
        local r = d:child("io")
        sysmem:add(DEV_BASE, r)
        local v, err = memory:read32(DEV_BASE + 8)
        local ranges = #memory:flatview()
        sysmem:del(r)
        d:unparent()
        r:release()
        d:release()
        orrery.gc()
        if v ~= DEV_VALUE then
            return string.format("device read gave %s (%s)", tostring(v),
                                 tostring(err))
        elseif ranges ~= 1 then
            return string.format("%d ranges mapped, want 1", ranges)
        elseif orrery.live_count(dev_type) ~= 0 then
            return "a device is still alive after teardown"
        end
        return nil
    end

    function k.live()
        return orrery.live_count(dev_type)
    end

    return k
end

function B.gc()
    orrery.gc()
end

-- The number of live objects, and the leak report if there are any.
function B.live_count()
    local n = orrery.live_count()
    return n, n > 0 and orrery.leaks() or nil
end

return B
