-- The object and memory surface of the binding, and the GC bridge rules.
local orrery = require("orrery")
local t = require("orrery.test")

-- Identity: one proxy per live object.
t.ok(orrery.resolve("/") == orrery.root, "the root resolves to orrery.root")

-- A machine with RAM, read and written through its address space.
local m = orrery.machine("m")
t.is(m.path, "/m", "machine at /m")
t.is(m.type, "machine", "machine type")
local ram = orrery.ram(m, "ram", 0x10000)
m.sysmem:add(0x80000000, ram)
t.is(ram.kind, "ram", "ram kind")
t.is(ram.size, 0x10000, "ram size")
t.is(ram.addr, 0x80000000, "ram address")
t.ok(ram.owner == m, "ram owner is the machine")
t.ok(ram.container == m.sysmem, "ram container is sysmem")
t.is(m.sysmem.size, 2 ^ 64, "sysmem is 2^64 bytes")
t.ok(orrery.resolve("/m/ram") == ram, "same proxy through resolve")

local ok, err = m.memory:write32(0x80000010, 0xdeadbeef)
t.ok(ok and err == nil, "write32 to RAM")
t.is(m.memory:read32(0x80000010), 0xdeadbeef, "read32 back")
t.is(m.memory:read64(0x80000010), 0xdeadbeefULL, "read64 gives uint64 cdata")
local v, e = m.memory:read(0x1000, 4)
t.is(v, 0, "unmapped read gives the fill value")
t.is(e, "decode-error", "and a decode error")
t.is(m.memory:read_bytes(0x80000010, 4), "\239\190\173\222", "read_bytes")

local region, offset = m.memory:find(0x80000123)
t.ok(region == ram and offset == 0x123, "find")
local flat = m.memory:flatview()
t.is(#flat, 1, "one flat range")
t.is(flat[1].start, 0x80000000, "flat range start")
t.ok(flat[1].region == ram, "flat range region")

-- Misuse: clear orrery: errors, nothing changed.
t.raises(function() return m.nope end, "^orrery: .*no field or method 'nope'",
         "unknown field")
t.raises(function() m.x = 1 end, "^orrery: cannot set field 'x'",
         "setting a field")
t.raises(function() m.sysmem:add(0x80000000, ram) end,
         "^orrery: add: .*already mapped", "mapping twice")
t.raises(function() m.memory:read(0, 3) end, "^orrery: read: size",
         "bad access size")
t.raises(function() orrery.ram(m, "ram", 16) end, "^orrery: ram:",
         "duplicate region name")
t.raises(function() orrery.new("no-such-type") end, "^orrery: new:",
         "unknown type")
t.raises(function() m.sysmem:add(-1, ram) end, "must not be negative",
         "negative address")
t.like(orrery.mtree(m), "ram", "mtree shows the RAM")
t.is(#orrery.cycles(), 0, "no cycles")

-- live_objects: a proxy of each live object, as many as live_count says.
do
    local all = orrery.live_objects()
    t.is(#all, orrery.live_count(), "live_objects lists every live object")
    local regions = orrery.live_objects("memory-region")
    t.ok(#regions > 0 and regions[1]:is_a("memory-region"),
         "and filters by type, with usable proxies")
end

-- Released proxies raise.
local mem = m.memory
mem:release()
t.raises(function() return mem:read32(0) end, "released object",
         "a released proxy raises")
t.raises(function() return mem.read32 end, "^orrery: released object",
         "even when only a method is looked up")
local live = m.memory
t.is(type(live.read32), "function", "a live one finds it")
t.raises(function() live.read32(m, 0) end,
         "^orrery: read: expected a address%-space object, got machine",
         "and its methods check what they are given")
live = nil

-- Unparent with a reference held: finalized after release.
local finalized = {}
local h = orrery.on_finalize(function(ev) finalized[#finalized + 1] = ev.path end)
m:unparent()
t.ok(orrery.live_count() > 0, "held by the script after unparent")
m:release()
ram = nil
region, flat = nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "everything finalized after release and gc")
t.ok(#finalized >= 4, "finalize events seen")
t.is(finalized[1], "/m", "the machine finalizes first")
h:remove()
t.is(orrery.leaks(), nil, "no leaks")
t.done()
