-- Hot-plug and unplug, over and over, while a script holds on to some of
-- the devices: what stays alive, what goes, and when.
--
--     orrery examples/hotplug.lua [ROUNDS]
local orrery = require("orrery")
local virt = require("orrery.boards.virt")
local scratchpad = require("orrery.scratchpad")

local rounds = tonumber(arg and arg[1]) or 8
local m = virt.build("hp")
local as = m.memory
local base = orrery.live_count()
print(("board built: %d live objects"):format(base))

-- Each round plugs a scratchpad into its own slot and writes its SCRATCH
-- register; every other device is kept in `kept` by the script.
local kept = {}
for i = 1, rounds do
    local addr = virt.HOTPLUG + (i - 1) * 0x10000
    local dev = virt.plug(m, "hp" .. i, addr)
    assert(as:write32(addr + scratchpad.SCRATCH, i))
    if i % 2 == 0 then
        kept[#kept + 1] = dev
    end
end
print(("plugged %d scratchpads: %d live objects"):format(rounds,
                                                          orrery.live_count()))

-- Unplug them all. Unrealize unmaps every region of a device from the
-- board; unparent takes it out of the tree. The ones the script kept stay
-- alive (detached, path nil) until the script lets go.
for i = 1, rounds do
    virt.unplug(m:child("hp" .. i))
end
orrery.gc()
print(("unplugged: %d scratchpads alive, held by the script"):format(
    orrery.live_count("scratchpad") - 1))
for _, dev in ipairs(kept) do
    assert(dev.path == nil and not dev.realized)
end
local _, err = as:read32(virt.HOTPLUG)
print(("a read where hp1 was: %s"):format(err))

kept = nil
orrery.gc()
print(("script let go: %d live objects, as before the first plug: %s"):format(
    orrery.live_count(), tostring(orrery.live_count() == base)))

m:unparent()
m, as = nil, nil
orrery.gc()
print(orrery.leaks() or "nothing leaked")
