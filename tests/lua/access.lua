-- Sized accesses from Lua: the wrappers that serve RAM hits through the
-- FFI must give exactly what the C methods give, and leave every other
-- case (misses, MMIO, ROM writes, bad arguments, released proxies) to them.
local orrery = require("orrery")
local t = require("orrery.test")

local m = orrery.machine("m")
local as = m.memory
local ram = orrery.ram(m, "ram", 0x2000)
local rom = orrery.rom(m, "rom", 0x1000, "\x11\x22\x33\x44\x55\x66\x77\x88")
local mmio = orrery.io(m, "io", 0x100, { read = function(_, _, off) return off end,
                                      write = function() end })
m.sysmem:add(0x1000, ram)
m.sysmem:add(0x8000, rom)
m.sysmem:add(0x9000, mmio)

-- Many times over the same pages, so that the loops are compiled and the
-- caches hit; the sums check every value.
t.ok(as:write32(0x1000, 0), "a first write")
for i = 0, 255 do
    as:write32(0x1000 + 4 * i, i * 3)
end
local sum, errors = 0, 0
for _ = 1, 50 do
    for i = 0, 255 do
        local v, err = as:read32(0x1000 + 4 * i)
        sum = sum + v
        if err ~= nil then errors = errors + 1 end
    end
end
t.is(sum, 50 * 3 * 255 * 256 / 2, "reads from a hot loop see every value")
t.is(errors, 0, "with no error")
for i = 1, 100 do
    as:write8(0x1000 + i, i)
end
t.is(as:read8(0x1000 + 100), 100, "byte writes from a hot loop")
t.is(as:read16(0x1000 + 1), 0x0201, "little-endian halfwords")
local v64 = as:read64(0x8000)
t.ok(type(v64) == "cdata" and v64 == 0x8877665544332211ULL,
     "read64 gives a uint64_t cdata, also from ROM")
for _ = 1, 100 do
    v64 = as:read64(0x8000)
end
t.ok(type(v64) == "cdata" and v64 == 0x8877665544332211ULL, "every time")
t.ok(as:write64(0x1000, 0xfedcba98), "write64 of a number")
t.ok(as:read64(0x1000) == 0xfedcba98ULL, "reads back")

-- What the wrappers leave to the C methods.
local ok, err
for _ = 1, 100 do
    ok, err = as:write32(0x8000, 1)
end
t.ok(ok == false and err == "access-error", "ROM stays read-only from a hot loop")
t.is(as:read32(0x8000), 0x44332211, "and unchanged")
local v
for _ = 1, 100 do
    v, err = as:read32(0x9010)
end
t.ok(v == 0x10 and err == nil, "MMIO goes to its handler")
for _ = 1, 100 do
    v, err = as:read32(0x4000)
end
t.ok(v == 0 and err == "decode-error", "a hole reads as a decode error")
t.raises(function() as:read32(0x1000.5) end, "^orrery: .*not a 64%-bit integer",
         "a fractional address")
t.raises(function() as:read32(-4) end, "^orrery: .*must not be negative",
         "a negative address")
t.raises(function() as:write8(0x1000, 256) end, "^orrery: write: .*does not fit",
         "a value too wide")
t.raises(function() as.read32(mmio, 0x1000) end,
         "^orrery: read: expected a address%-space object, got memory%-region",
         "another object in place of the address space")
t.raises(function() as.read32(io.stdout, 0x1000) end,
         "^orrery: read: expected a address%-space object",
         "a value that is no object at all")

-- The caches forget what the map no longer shows.
for _ = 1, 100 do
    v = as:read32(0x1000)
end
m.sysmem:del(ram)
v, err = as:read32(0x1000)
t.ok(v == 0 and err == "decode-error", "an unmapped page is not read any more")
m.sysmem:add(0x1000, ram)
t.is(as:read32(0x1000), 0xfedcba98, "and is read again once mapped")

-- A released address-space proxy raises, fast path or not.
local mem = m.memory
for _ = 1, 100 do
    mem:read32(0x1000)
end
local read32 = mem.read32
mem:release()
t.raises(function() read32(mem, 0x1000) end, "^orrery: released object",
         "a released proxy raises")

m:unparent()
m, as, ram, rom, mmio, mem = nil, nil, nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
