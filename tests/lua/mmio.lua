-- MMIO regions with Lua handlers: calls, splitting, errors, and handlers
-- that tear down their own device.
local orrery = require("orrery")
local t = require("orrery.test")

local m = orrery.machine("m")
local regs, calls = {}, {}
local dev = orrery.io(m, "dev", 0x100, {
    read = function(self, st, offset, size)
        calls[#calls + 1] = string.format("r %x/%d", offset, size)
        t.ok(self == m, "self is the owner")
        t.is(st, nil, "no state for a C owner")
        return regs[offset] or 0
    end,
    write = function(_self, _st, offset, value, size)
        calls[#calls + 1] = string.format("w %x/%d=%x", offset, size, value)
        regs[offset] = value
    end,
    impl_max = 2,
})
m.sysmem:add(0x1000, dev)
t.is(dev.kind, "io", "an io region")

t.ok(m.memory:write16(0x1010, 0xabcd), "a write reaches the handler")
t.is(m.memory:read16(0x1010), 0xabcd, "and reads back")
t.is(table.concat(calls, ", "), "w 10/2=abcd, r 10/2", "one call each")
calls = {}
m.memory:read32(0x1010)
t.is(table.concat(calls, ", "), "r 10/2, r 12/2", "a 4-byte read is split")

-- While the handler runs, the access holds the region's unit.
local seen
local peek = orrery.io(m, "peek", 0x10, { read = function()
    for _, o in ipairs(orrery.live("machine")) do
        if o.path == "/m" then seen = table.concat(o.holders, ", ") end
    end
    return 0
end })
m.sysmem:add(0x4000, peek)
m.memory:read32(0x4000)
t.like(seen, "access", "an access in flight is listed as a holder")
local after
for _, o in ipairs(orrery.live("machine")) do
    if o.path == "/m" then after = table.concat(o.holders, ", ") end
end
t.ok(not after:find("access"), "and is gone once it returns: " .. after)
m.sysmem:del(peek)
peek:unparent()
peek = nil

-- Made inside a coroutine that is then collected: callbacks never run on
-- the thread that made them.
local co = coroutine.create(function()
    m.sysmem:add(0x5000, orrery.io(m, "cio", 0x10, {
        read = function() return 0x77 end }))
    orrery.type{ name = "co-dev", parent = "device",
                 realize = function(_, st) st.ok = true end,
                 methods = { ok = function(_, st) return st.ok end } }
end)
assert(coroutine.resume(co))
co = nil
collectgarbage()
collectgarbage()
t.is(m.memory:read8(0x5000), 0x77, "a handler made in a dead coroutine runs")
local cd = orrery.new("co-dev", { parent = m, name = "cd" })
cd:realize()
t.ok(cd:ok(), "so do the hooks of a type made there")
cd:unparent()
cd = nil
m.sysmem:del(m:child("cio"))
m:child("cio"):unparent()
orrery.gc()

-- Inside a handler the core is dispatching: orrery.gc() collects, but
-- releases nothing until the next safe point.
local gone = {}
local watch = orrery.on_finalize(function(ev) gone[#gone + 1] = ev.path end)
local inside
local function doom()
    orrery.new("container", { parent = m, name = "doomed" }):unparent()
end
local gcio = orrery.io(m, "gcio", 0x10, { read = function()
    doom() -- leaves the proxy unreachable: only a collection frees it
    orrery.gc()
    inside = #gone
    return 0
end })
m.sysmem:add(0x6000, gcio)
m.memory:read8(0x6000)
t.is(inside, 0, "no release inside a handler")
orrery.gc()
t.is(gone[1], "/m/doomed", "it happens at the next safe point")
watch:remove()
m.sysmem:del(gcio)
gcio:unparent()
gcio = nil
orrery.gc()

-- Nested: a handler whose read goes through another Lua handler, which
-- may fail on its own.
local inner = orrery.io(m, "inner", 0x10, { read = function(_, _, off)
    if off == 4 then error("inner fails") end
    return 0x40
end })
local outer = orrery.io(m, "outer", 0x10, { read = function(_, _, off)
    local v, e = m.memory:read8(0x7000 + off)
    return e and 0xee or v + 1
end })
m.sysmem:add(0x7000, inner)
m.sysmem:add(0x7100, outer)
local nested_before = #orrery.hook_errors()
t.is(m.memory:read8(0x7100), 0x41, "a handler reads through another")
t.is(m.memory:read8(0x7104), 0xee, "and sees the inner one fail")
t.is(#orrery.hook_errors(), nested_before + 1, "which is recorded once")
t.like(orrery.hook_errors()[nested_before + 1], "^io read /m/inner: .*inner fails",
       "naming the inner region")
m.sysmem:del(inner)
m.sysmem:del(outer)
inner:unparent()
outer:unparent()
inner, outer = nil, nil

-- A handler that raises: an access error, the fill value, a hook error.
local bad = orrery.io(m, "bad", 0x10, {
    read = function() error("broken register") end,
    write = function() end,
})
m.sysmem:add(0x2000, bad)
local before = #orrery.hook_errors()
local v, err = m.memory:read32(0x2000)
t.is(v, 0, "a failed handler reads as the fill value")
t.is(err, "access-error", "with an access error")
local errors = orrery.hook_errors()
t.is(#errors, before + 1, "the error is recorded")
t.like(errors[#errors], "^io read /m/bad: .*broken register", "with where")
t.like(errors[#errors], "stack traceback", "and a traceback")

-- A handler returning something that is not an integer fails too.
local odd = orrery.io(m, "odd", 0x10, { read = function() return "x" end })
m.sysmem:add(0x3000, odd)
t.is(select(2, m.memory:read8(0x3000)), "access-error", "a bad value fails")
t.is(select(2, m.memory:write8(0x3000, 1)), "access-error",
     "no write handler: writes fail")

-- Misuse of orrery.io.
t.raises(function() orrery.io(m, "x", 16, {}) end, "^orrery: io: ops need",
         "ops without handlers")
t.raises(function() orrery.io(m, "x", 16, { read = 1 }) end,
         "^orrery: io: ops.read must be a function", "a handler of a bad type")
t.raises(function() orrery.io(m, "x", 16, { read = print, impl_max = 3 }) end,
         "^orrery: io: impl_max must be 1, 2, 4 or 8", "a bad size")

-- A handler that unmaps its own region and drops its machine mid-access.
local n = orrery.machine("n")
local finalized = {}
local hook = orrery.on_finalize(function(ev) finalized[#finalized + 1] = ev.path end)
local killer = orrery.io(n, "killer", 0x10, {
    read = function(self)
        self.sysmem:del(self:child("killer"))
        self:unparent()
        return 0x55
    end,
})
n.sysmem:add(0, killer)
local mem = n.memory
killer, n = nil, nil
orrery.gc()
t.is(mem:read8(0), 0x55, "the handler's value arrives after it tore down")
mem = nil
orrery.gc()
t.ok(#finalized >= 4 and finalized[1] == "/n", "the machine went after the access")
hook:remove()

m:unparent()
m, dev, bad, odd = nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
