-- A small board built from the Lua API: RAM, a boot ROM with an alias at
-- address 0, its memory map, a few accesses, and a teardown that proves
-- every object was finalized.
--
--     orrery examples/virt.lua        (this is what `make run` does)
local orrery = require("orrery")

local m = orrery.machine("virt")

-- 128 MiB of RAM at 2 GiB and a 64 KiB boot ROM at 0x1000 whose first
-- page is also visible at 0 through an alias.
local ram = orrery.ram(m, "ram", 128 * 1024 * 1024)
local boot = "\x13\x05\x00\x00\x73\x00\x10\x00" -- two RISC-V instructions
local rom = orrery.rom(m, "bootrom", 0x10000, boot)
local low = orrery.alias(m, "bootrom-low", rom, 0, 0x1000)

orrery.transaction(function()
    m.sysmem:add(0x80000000, ram)
    m.sysmem:add(0x00001000, rom)
    m.sysmem:add(0x00000000, low)
end)

print(orrery.mtree(m))
print(orrery.mtree(m, { flat = true }))

-- Accesses go through the machine's address space.
local as = m.memory
assert(as:write32(0x80000000, 0x12345678))
print(string.format("RAM  0x80000000: 0x%08x", as:read32(0x80000000)))
print(string.format("ROM  0x00000000: 0x%08x (through the alias)",
                    as:read32(0x0)))
local _, err = as:write32(0x1000, 0)
print("a write to ROM:", err)
local _, miss = as:read32(0x40000000)
print("a read of nothing:", miss)

-- Teardown: unparent the board, let go of the script's references, and
-- check that nothing is left.
m:unparent()
m, ram, rom, low, as = nil, nil, nil, nil, nil
orrery.gc()
print(orrery.leaks() or "teardown: every object was finalized, nothing leaked")
