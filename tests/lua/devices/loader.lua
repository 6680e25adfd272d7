-- orrery.loader: reading files, ROMs made from files, and loading bytes
-- through an address space, with the errors of each.
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")
local loader = require("orrery.loader")

-- Running the module again (as a second copy of it would) is harmless:
-- its type is registered once.
package.loaded["orrery.loader"] = nil
t.ok(pcall(require, "orrery.loader"), "loading the module again")

local function write_file(bytes)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(bytes)
    f:close()
    return path
end

-- An image with every byte value, so nothing is mangled on the way.
local bytes = {}
for i = 0, 255 do
    bytes[#bytes + 1] = string.char(i)
end
local IMAGE = table.concat(bytes):rep(20) -- 5120 bytes
local image = write_file(IMAGE)
local empty = write_file("")
local missing = image .. ".missing"

-- read_file.
t.is(loader.read_file(image), IMAGE, "read_file gives the bytes unchanged")
t.is(loader.read_file(empty), "", "an empty file")
t.raises(function() loader.read_file(missing) end,
         "^orrery: loader: cannot read " .. missing:gsub("%p", "%%%0")
             .. ": No such file or directory$",
         "a missing file: the path and the reason, once")
t.raises(function() loader.read_file("/") end,
         "^orrery: loader: cannot read /: Is a directory",
         "a directory")
t.raises(function() loader.read_file(42) end,
         "^orrery: loader: read_file: expected a path string, got number",
         "a path that is not a string")

local m = orrery.machine("m")
local ram = orrery.ram(m, "ram", 0x10000)
sysbus.map(m, 0x80000000, ram)
local mem = m.memory

-- rom_from_file.
local rom = loader.rom_from_file(m, "bootrom", image)
t.is(rom.kind, "rom", "a ROM region")
t.is(rom.size, 8192, "5120 bytes round up to 8 KiB")
t.is(rom.owner, m, "owned by the given owner")
sysbus.map(m, 0x1000, rom)
t.is(mem:read_bytes(0x1000, #IMAGE), IMAGE, "it holds the file")
t.is(mem:read32(0x1000 + #IMAGE), 0, "and zeros after it")
local ok, err = mem:write8(0x1000, 1)
t.ok(not ok and err ~= nil, "the guest cannot write it")
local sized = loader.rom_from_file(m, "sized", image, 0x10000)
t.is(sized.size, 0x10000, "an explicit size")
sized = nil
local blank = loader.rom_from_file(m, "blank", empty)
t.is(blank.size, 4096, "an empty file still makes a 4 KiB ROM")
blank = nil
t.raises(function() loader.rom_from_file(m, "small", image, 4096) end,
         "^orrery: loader: rom_from_file: .* is 5120 bytes, more than the "
             .. "ROM's size 4096",
         "a file larger than the size asked for")
t.raises(function() loader.rom_from_file(m, "bad", image, "big") end,
         "^orrery: loader: rom_from_file: size must be", "a bad size")
t.raises(function() loader.rom_from_file(m, "gone", missing) end,
         "^orrery: loader: cannot read", "a missing file")
t.is(m:child("small"), nil, "a failed rom_from_file made nothing")

-- load.
t.is(loader.load(mem, 0x80000000, "\1\2\3\4"), 4, "load returns the count")
t.is(mem:read32(0x80000000), 0x04030201, "the bytes are in RAM, in order")
t.is(loader.load(mem, 0x80001000, { file = image }), #IMAGE, "load a file")
t.is(mem:read_bytes(0x80001000, #IMAGE), IMAGE, "the file is in RAM")
t.is(loader.load(m, 0x80008000, "xyz"), 3, "a machine stands for its memory")
t.is(mem:read_bytes(0x80008000, 3), "xyz", "and the bytes arrive")
t.is(loader.load(mem, 0x80009000ULL, "64"), 2, "a 64-bit cdata address")
t.is(loader.load(mem, 0x8000a000, ""), 0, "nothing to load: nothing written")

-- load failures name the address.
t.raises(function() loader.load(mem, 0x40000000, "abcd") end,
         "^orrery: loader: load: writing 4 bytes at 0x40000000 failed: "
             .. "decode%-error; nothing is mapped at 0x40000000$",
         "into nothing: a decode error at the address")
t.raises(function() loader.load(mem, 0x8000fffe, "abcd") end,
         "at 0x8000fffe failed: decode%-error; nothing is mapped at "
             .. "0x80010000$",
         "off the end of RAM: the first unmapped address")
t.is(mem:read_bytes(0x8000fffe, 2), "ab", "the bytes before it were written")
t.raises(function() loader.load(mem, 0x1000, "abcd") end,
         "^orrery: loader: load: writing 4 bytes at 0x1000 failed: "
             .. "access%-error$",
         "into a ROM: an access error")

-- load misuse.
t.raises(function() loader.load(nil, 0, "x") end,
         "^orrery: loader: load: expected an address space, got nil",
         "no address space")
t.raises(function() loader.load(io.stdout, 0, "x") end,
         "^orrery: loader: load: expected an address space",
         "a userdata that is no orrery object")
t.raises(function() loader.load(ram, 0, "x") end,
         "^orrery: loader: load: expected an address space",
         "a region is not an address space")
t.raises(function() loader.load(mem, -4, "x") end,
         "^orrery: loader: load: address must be a non%-negative integer, "
             .. "got %-4",
         "a negative address")
t.raises(function() loader.load(mem, 0x80000000, 42) end,
         "^orrery: loader: load: expected a string or { file = PATH }, "
             .. "got number",
         "data of the wrong type")
t.raises(function() loader.load(mem, 0x80000000, { path = image }) end,
         "^orrery: loader: load: a table needs file = PATH", "a table without file")
t.raises(function() loader.load(mem, 0x80000000, { file = missing }) end,
         "^orrery: loader: cannot read", "a missing file")

os.remove(image)
os.remove(empty)

-- Teardown.
m:unparent()
m, ram, rom, mem = nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
