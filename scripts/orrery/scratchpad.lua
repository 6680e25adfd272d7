-- orrery.scratchpad: a device whose register block is a private container
-- holding the device's own regions: a control page (MMIO) and a data page
-- (RAM).  The container, the control region and the data region all have
-- the device as owner, so mapping one inside another makes no reference
-- to the device: the device still dies when its last reference goes.
--
--   local scratchpad = require("orrery.scratchpad")
--   local sp = scratchpad.new(m, "sp0")
--   sysbus.map(m, 0x10003000, sp:child("regs"))
--
-- Layout of "regs" (0x2000 bytes):
--   0x0000  ID       (ro)  0x53435250 ("SCRP")
--   0x0004  SCRATCH  (rw)  a 32-bit register
--   0x0008  WRITES   (ro)  number of writes to SCRATCH
--   0x1000  data page: 4 KiB of RAM
-- Control registers are 32-bit; other sizes are access errors.
local orrery = require("orrery")
local devkit = require("orrery.devkit")

local M = {
    TYPE = "scratchpad",
    ID = 0x0, SCRATCH = 0x4, WRITES = 0x8,
    DATA = 0x1000, DATA_SIZE = 0x1000,
    ID_VALUE = 0x53435250,
}

local function read(_, st, offset)
    if offset == M.ID then
        return M.ID_VALUE
    elseif offset == M.SCRATCH then
        return st.scratch
    elseif offset == M.WRITES then
        return st.writes
    end
    return 0
end

local function write(_, st, offset, value)
    if offset == M.SCRATCH then
        st.scratch = value
        st.writes = st.writes + 1
    end
end

devkit.register{
    name = M.TYPE, parent = "device",
    init = function(self, st)
        st.scratch, st.writes = 0, 0
        local regs = orrery.container(self, "regs", 0x2000)
        regs:add(0, orrery.io(self, "ctrl", 0x10, devkit.io_ops{
            read = read, write = write, min_access = 4, max_access = 4,
        }))
        regs:add(M.DATA, orrery.ram(self, "data", M.DATA_SIZE))
    end,
}

-- Creates a scratchpad named @name under @parent.
M.new = devkit.constructor(M.TYPE)

return M
