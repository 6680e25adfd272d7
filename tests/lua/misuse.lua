-- Every misuse is a Lua error starting "orrery:" that names what was
-- wrong and changes nothing; errors inside hooks are recorded, not raised.
local orrery = require("orrery")
local t = require("orrery.test")

local function fails(fn, pattern, name)
    t.raises(fn, "^orrery: .*" .. pattern, name)
end

local m = orrery.machine("m")
local ram = orrery.ram(m, "ram", 0x1000)
m.sysmem:add(0, ram)
local map_before = orrery.mtree(m)

-- Wrong argument types and counts.
fails(function() orrery.new() end, "bad argument #1", "new without a type")
fails(function() orrery.new(42, 1) end, "bad argument #2", "new with a bad option table")
fails(function() orrery.ram(m, nil, 16) end, "bad argument #2", "ram without a name")
fails(function() orrery.ram(m, "r2", "big") end, "size: expected an integer",
      "ram with a string size")
fails(function() orrery.ram(m, "r2", 1.5) end, "is not a 64%-bit integer", "a fractional size")
fails(function() m.memory:read32() end, "address: expected an integer", "read32 without an address")
fails(function() m.memory:read(0, 3) end, "size must be 1, 2, 4 or 8", "a bad access size")
fails(function() m.memory:write_bytes(0, "") end, "nothing to write", "an empty write")
fails(function() m.memory:read_bytes(0, 0) end, "read_bytes: length must be 1 to",
      "an empty read")
m.memory:write32(0x10, 0x5a5a5a5a)
fails(function() m.memory:write32(-4, 1) end, "address: .*must not be negative",
      "a write at a negative address")
fails(function() m.memory:write_bytes(-1, "ab") end, "must not be negative",
      "a byte-string write at a negative address")
fails(function() m.sysmem:add(-0x1000, ram) end, "must not be negative",
      "a region mapped at a negative address")
t.is(m.memory:read32(0x10), 0x5a5a5a5a, "memory is unchanged by the refused writes")
t.is(ram.addr, 0, "the region did not move")
fails(function() m.sysmem:add(0x2000) end, "expected a memory%-region object, got no value",
      "add without a region")
fails(function() orrery.transaction(1) end, "bad argument #1", "transaction without a function")
fails(function() m.memory:write32(0, 0x1ffffffff) end,
      "write: value 8589934591 does not fit in 4 bytes", "a value too wide")
fails(function() m.memory:write8(0, -129) end, "does not fit in 1 bytes",
      "a negative value too wide")
t.ok(m.memory:write8(0, -1) and m.memory:read8(0) == 0xff,
     "a negative value that fits is written as two's complement")
fails(function() orrery.ram(m, "ram", 16) end,
      "ram: add_child: '/m' already has a child named 'ram'",
      "a region creation error keeps its message")
t.raises(function() require("orrery.sysbus").map(1, 0, ram) end,
         "^orrery: sysbus: expected a machine, got 1",
         "sysbus errors start with orrery: too")
fails(function() orrery.rom(m, "r2", 4, "12345") end,
      "5 bytes of contents do not fit in 4", "ROM contents too long")

-- Nil and non-objects where objects go.
fails(function() m.sysmem:add(0x2000, nil) end, "expected a memory%-region", "nil region")
fails(function() m.sysmem:add(0x2000, {}) end, "expected a memory%-region object, got table",
      "a table as a region")
fails(function() orrery.address_space(m, "as2", m) end, "expected a memory%-region object, got machine",
      "a machine as a root")

-- Unknown types, properties, methods, fields.
fails(function() orrery.new("no-such-type") end, "unknown type 'no%-such%-type'", "unknown type")
fails(function() m:get("nope") end, "get: .*nope", "unknown property (get)")
fails(function() m:set("nope", 1) end, "set: .*has no property 'nope'", "unknown property (set)")
fails(function() return m.nope end, "has no field or method 'nope'", "unknown field")
fails(function() m:nope() end, "has no field or method 'nope'", "unknown method")
fails(function() m.x = 1 end, "cannot set field 'x'", "setting a field on a proxy")
fails(function() orrery.new("container", { props = { nope = 1 } }) end, "has no property 'nope'",
      "new with an unknown property")

-- A property set with the wrong type.
orrery.type{ name = "mu-dev", parent = "device",
             props = { n = { type = "uint", default = 3 },
                       flag = { type = "bool", default = false } } }
local d = orrery.new("mu-dev", { parent = m, name = "d" })
fails(function() d:set("n", "three") end, "n: expected an integer, got string",
      "uint from a string")
fails(function() d:set("n", -1) end, "must not be negative", "uint from a negative number")
fails(function() d:set("flag", 1) end, "property 'flag' is bool, not number", "bool from a number")
t.is(d:get("n"), 3, "n unchanged")
t.is(d:get("flag"), false, "flag unchanged")

-- Released and finalized proxies.
local free = orrery.ram(nil, "free", 16)
free:release()
fails(function() return free.size end, "released object", "a released proxy")
fails(function() free:release() end, "released object", "releasing twice")
local gone = orrery.ram(m, "gone", 16)
gone:unparent()
fails(function() return gone.size end, "finalized object", "a finalized proxy")

-- Types: unknown parent, defined twice, bad specs.
fails(function() orrery.type{ name = "mu-x", parent = "nope" } end, "parent type 'nope' does not exist",
      "unknown parent type")
fails(function() orrery.type{ name = "mu-dev" } end, "a type of that name exists",
      "defining a type twice")
fails(function() orrery.type{ parent = "device" } end, "name must be a string",
      "a type without a name")
fails(function() orrery.type{ name = "mu-y", methods = { 1 } } end, "methods are name = function",
      "bad methods")

-- Errors inside hooks: recorded with type, path and hook, never raised
-- (except realize, which fails).
orrery.type{ name = "mu-bad", parent = "device",
             init = function() error("in init") end,
             realize = function() error("in realize") end,
             unrealize = function() error("in unrealize") end,
             finalize = function() error("in finalize") end }
local n0 = #orrery.hook_errors()
local b = orrery.new("mu-bad", { parent = m, name = "b" })
fails(function() b:realize() end, "realize: .*in realize", "realize raises")
t.raises(function() b:realize() end, "^orrery: realize: '/m/b': ",
         "naming the operation once, then the device")
local h = m.memory:listen{ region_add = function() error("in listener") end }
local io = orrery.io(m, "io", 16, { read = function() error("in read") end })
m.sysmem:add(0x8000, io)
t.is(select(2, m.memory:read8(0x8000)), "access-error", "a failing read handler")
h:remove()
b:unparent()
b = nil
orrery.gc()
local errs = table.concat(orrery.hook_errors(), "\n", n0 + 1)
t.like(errs, "init mu%-bad", "init error recorded with its type")
t.like(errs, "realize mu%-bad /m/b: .*in realize", "realize error with its path")
t.like(errs, "listener region_add", "listener error recorded")
t.like(errs, "io read /m/io", "MMIO error recorded")
t.like(errs, "finalize mu%-bad", "finalize error recorded")

-- Nothing changed by all of the above.
m.sysmem:del(io)
t.is(orrery.mtree(m), map_before, "the map is as before")
m:unparent()
m:release()
ram, d, io, gone = nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects")
t.done()
