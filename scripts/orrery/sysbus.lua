-- orrery.sysbus: mapping a device's regions into a machine.
--
--   local sysbus = require("orrery.sysbus")
--   sysbus.map(machine, 0x10000000, dev:child("regs"))     -- at an address
--   sysbus.map(machine, 0x10000000, dev:child("regs"), 1)  -- with a priority
--   sysbus.unmap(machine, dev:child("regs"))
--   for _, dev in ipairs(sysbus.devices(machine)) do ... end
local M = {}

local function sysmem(machine)
    if type(machine) ~= "userdata" or not machine:is_a("machine") then
        error("orrery: sysbus: expected a machine, got " .. tostring(machine), 0)
    end
    return machine.sysmem
end

-- Maps @region into the machine's sysmem at @addr (with @priority if
-- given). Returns the region.
function M.map(machine, addr, region, priority)
    sysmem(machine):add(addr, region, priority)
    return region
end

-- Unmaps @region from the machine's sysmem.
function M.unmap(machine, region)
    sysmem(machine):del(region)
end

-- The machine's devices: its children that are devices, in the order
-- they were added.
function M.devices(machine)
    sysmem(machine)
    local list = {}
    for _, child in ipairs(machine:children()) do
        if child:is_a("device") then
            list[#list + 1] = child
        end
    end
    return list
end

return M
