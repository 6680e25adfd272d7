-- orrery.timer: a 32-bit countdown timer on an explicit clock, type
-- "timer".
--
--   local timer = require("orrery.timer")
--   local tm = timer.new(m, "timer0", { tick_ns = 1000 })   -- 1 MHz
--   sysbus.map(m, 0x10002000, tm:child("regs"))
--   tm:connect("irq", ic, "in", 5)
--   tm:advance(250000)                    -- 250 us pass: 250 ticks
--
-- Time moves only when tm:advance(ns) is called. One tick is tick_ns
-- nanoseconds; time below a tick is carried to the next advance, whether
-- or not the timer is enabled. Each tick while enabled counts VALUE down;
-- the tick that brings it to 0 (or finds it at 0) is an expiry: STATUS.
-- EXPIRED is set and, when PERIODIC, VALUE is reloaded from LOAD at once
-- (a period is LOAD ticks; LOAD 0 expires on every tick), else the timer
-- stops with VALUE 0 and CTRL.ENABLE cleared.
--
-- Registers are 32-bit, little endian, accessed 4 bytes at a time at
-- aligned offsets (other accesses fail with an access error):
--
--   0x0 LOAD    rw  reload value; writing it sets VALUE too
--   0x4 VALUE   ro  the current count
--   0x8 CTRL    rw  bit0 ENABLE, bit1 PERIODIC, bit2 IRQ_EN (others read 0)
--   0xc STATUS  rw  bit0 EXPIRED; write 1 to clear
--
-- irq is STATUS.EXPIRED and CTRL.IRQ_EN. Writes to VALUE are ignored.
local orrery = require("orrery")
local devkit = require("orrery.devkit")
local bit = require("bit")

local band = bit.band

local M = {}

M.TYPE = "timer"
M.SIZE = 0x10

M.LOAD = 0x0
M.VALUE = 0x4
M.CTRL = 0x8
M.STATUS = 0xc

M.CTRL_ENABLE = 0x1
M.CTRL_PERIODIC = 0x2
M.CTRL_IRQ_EN = 0x4

M.STATUS_EXPIRED = 0x1

local fail, need_state = devkit.errors("timer")

local function ctrl(st, flag)
    return band(st.ctrl, flag) ~= 0
end

local function update_irq(self, st)
    devkit.set_irq(self, st,
                   (st.expired and ctrl(st, M.CTRL_IRQ_EN)) and 1 or 0)
end

-- Counts @ticks down on an enabled timer. Returns the number of expiries.
local function count_down(st, ticks)
    local first = st.value > 0 and st.value or 1 -- ticks to the next expiry
    if ticks < first then
        st.value = st.value - ticks
        return 0
    end
    if not ctrl(st, M.CTRL_PERIODIC) then
        st.value = 0
        st.ctrl = band(st.ctrl, bit.bnot(M.CTRL_ENABLE))
        return 1
    end
    local period = st.load > 0 and st.load or 1
    local rest = ticks - first
    st.value = st.load > 0 and st.load - rest % period or 0
    return 1 + math.floor(rest / period)
end

local REGS_OPS = devkit.io_ops{
    read = function(_, st, offset)
        if offset == M.LOAD then
            return st.load
        elseif offset == M.VALUE then
            return st.value
        elseif offset == M.CTRL then
            return st.ctrl
        end
        return st.expired and M.STATUS_EXPIRED or 0
    end,
    write = function(self, st, offset, value)
        if offset == M.LOAD then
            st.load, st.value = value, value
        elseif offset == M.CTRL then
            st.ctrl = band(value, 0x7)
        elseif offset == M.STATUS and band(value, M.STATUS_EXPIRED) ~= 0 then
            st.expired = false
        end
        update_irq(self, st)
    end,
    min_access = 4, max_access = 4,
}

local function tick_ns(self)
    local n = tonumber(self:get("tick_ns"))
    if n == 0 then
        fail("'%s': tick_ns must be at least 1", self.path or self.name)
    end
    return n
end

local methods = {}

-- timer:advance(ns) --> the number of expiries during those ns.
function methods.advance(self, st, ns)
    need_state(st, "advance")
    if type(ns) == "cdata" then
        ns = tonumber(ns)
    end
    if type(ns) ~= "number" or ns < 0 or ns % 1 ~= 0 then
        fail("advance: expected a whole number of nanoseconds >= 0, got %s",
             tostring(ns))
    end
    local tick = tick_ns(self)
    local total = st.rem + ns
    local ticks = math.floor(total / tick)
    st.rem = total - ticks * tick
    st.now = st.now + ns
    if ticks == 0 or not ctrl(st, M.CTRL_ENABLE) then
        return 0
    end
    local n = count_down(st, ticks)
    if n > 0 then
        st.expired = true
        update_irq(self, st)
    end
    return n
end

-- timer:now() --> nanoseconds advanced since the timer was made.
function methods.now(_, st)
    return need_state(st, "now").now
end

local function init(self, st)
    st.load, st.value, st.ctrl = 0, 0, 0
    st.expired = false
    st.irq = 0
    st.rem, st.now = 0, 0
    orrery.io(self, "regs", M.SIZE, REGS_OPS)
end

devkit.register{
    name = M.TYPE, parent = "device",
    props = { tick_ns = { type = "uint", default = 1000 } },
    init = init,
    realize = function(self) tick_ns(self) end,
    methods = methods,
    gpio_out = { "irq" },
}

-- timer.new(parent, name [, props]) --> a new timer device.
M.new = devkit.constructor(M.TYPE)

return M
