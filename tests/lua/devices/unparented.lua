-- The register blocks of the device library once their device is gone:
-- a region still mapped after its device was unparented and collected
-- (its state dropped) reads 0 and ignores writes, with no handler error.
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")

-- Each module; its registers are at offset 0 of its child "regs".
local CASES = { "orrery.uart", "orrery.intc", "orrery.timer", "orrery.dma",
                "orrery.scratchpad" }

local BASE = 0x10000000
local m = orrery.machine("m")

for i, name in ipairs(CASES) do
    local dev = require(name).new(m, "dev" .. i)
    local at = BASE + i * 0x10000
    local region = dev:child("regs")
    sysbus.map(m, at, region)
    t.is(select(2, m.memory:read32(at)), nil, name .. ": a read works")

    -- The mapping keeps the device; leaving the tree drops its state.
    dev:unparent()
    dev:release()
    orrery.gc()
    t.is(m.memory:write32(at, 0xffffffff), true,
         name .. ": a write once the device has no state does nothing")
    local v, err = m.memory:read32(at)
    t.is(err, nil, name .. ": a read once the device has no state")
    t.is(v, 0, name .. ": reads 0")
    sysbus.unmap(m, region)
    region = nil
    orrery.gc()
end

m:unparent()
m = nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
