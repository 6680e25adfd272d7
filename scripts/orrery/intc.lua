-- orrery.intc: a level-sensitive interrupt controller of 32 lines, type
-- "intc".
--
--   local intc = require("orrery.intc")
--   local ic = intc.new(m, "intc")
--   sysbus.map(m, 0x10001000, ic:child("regs"))
--   u:connect("irq", ic, "in", 3)          -- a source on line 3
--   ic:connect("irq", cpu, "irq")          -- the summary output
--
-- Inputs "in"[0..31] latch the level of their source; "irq" is high while
-- a line is both asserted and enabled. Registers are 32-bit, little endian,
-- accessed 4 bytes at a time at aligned offsets (other accesses fail with
-- an access error):
--
--   0x0 PENDING  ro  lines currently asserted (bit n = line n)
--   0x4 ENABLE   rw  lines allowed to raise irq
--   0x8 CLAIM    r   1 + the lowest pending and enabled line, 0 if none.
--                    Reading does not clear anything: a line stays pending
--                    until its source drops it. Writes are accepted and
--                    ignored (an acknowledge is a no-op on level lines).
--   0xc STATUS   ro  PENDING & ENABLE
--
-- Writes to read-only registers are ignored.
local orrery = require("orrery")
local devkit = require("orrery.devkit")
local bit = require("bit")

local band, bor, lshift = bit.band, bit.bor, bit.lshift

local M = {}

local _, need_state = devkit.errors("intc")

M.TYPE = "intc"
M.SIZE = 0x10
M.LINES = 32

M.PENDING = 0x0
M.ENABLE = 0x4
M.CLAIM = 0x8
M.STATUS = 0xc

-- A bit operation's result as an unsigned 32-bit number.
local function u32(x)
    return bit.tobit(x) % 0x100000000
end

local function status(st)
    return u32(band(st.level, st.enable))
end

local function claim(st)
    local s = status(st)
    if s == 0 then
        return 0
    end
    for n = 0, M.LINES - 1 do
        if band(s, lshift(1, n)) ~= 0 then
            return n + 1
        end
    end
end

local function update_irq(self, st)
    devkit.set_irq(self, st, status(st) ~= 0 and 1 or 0)
end

local readers = {
    [M.PENDING] = function(st) return st.level end,
    [M.ENABLE] = function(st) return st.enable end,
    [M.CLAIM] = claim,
    [M.STATUS] = status,
}

local REGS_OPS = devkit.io_ops{
    read = function(_, st, offset)
        return readers[offset](st)
    end,
    write = function(self, st, offset, value)
        if offset == M.ENABLE then
            st.enable = u32(value)
            update_irq(self, st)
        end
    end,
    min_access = 4, max_access = 4,
}

-- A source changed the level of line n.
local function set_line(self, st, n, level)
    if st == nil then
        return
    end
    local mask = lshift(1, n)
    if level ~= 0 then
        st.level = u32(bor(st.level, mask))
    else
        st.level = u32(band(st.level, bit.bnot(mask)))
    end
    update_irq(self, st)
end

local methods = {
    -- intc:pending() --> the PENDING bitmask.
    pending = function(_, st) return need_state(st, "pending").level end,
    -- intc:enabled() --> the ENABLE bitmask.
    enabled = function(_, st) return need_state(st, "enabled").enable end,
}

local function init(self, st)
    st.level, st.enable, st.irq = 0, 0, 0
    orrery.io(self, "regs", M.SIZE, REGS_OPS)
end

devkit.register{
    name = M.TYPE, parent = "device",
    init = init,
    methods = methods,
    gpio_in = { ["in"] = { count = M.LINES, set = set_line } },
    gpio_out = { "irq" },
}

-- intc.new(parent, name [, props]) --> a new intc device.
M.new = devkit.constructor(M.TYPE)

return M
