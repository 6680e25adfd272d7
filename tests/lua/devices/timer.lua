-- orrery.timer through its registers: counting, one-shot and periodic
-- expiry, the tick remainder, the interrupt path through an intc, misuse.
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")
local timer = require("orrery.timer")
local intc = require("orrery.intc")

-- Running the module again (as a second copy of it would) is harmless:
-- its type is registered once.
package.loaded["orrery.timer"] = nil
t.ok(pcall(require, "orrery.timer"), "loading the module again")

orrery.type{
    name = "t-cpu", parent = "device",
    init = function(_, st) st.levels = {} end,
    gpio_in = { irq = { count = 1, set = function(_, st, _, level)
        st.levels[#st.levels + 1] = level
    end } },
    methods = {
        levels = function(_, st) return table.concat(st.levels, ",") end,
    },
}

local TM, IC = 0x10002000, 0x10001000
local m = orrery.machine("m")
local tm = timer.new(m, "timer0")
local ic = intc.new(m, "intc")
local cpu = orrery.new("t-cpu", { parent = m, name = "cpu" })
for _, d in ipairs({ tm, ic, cpu }) do
    d:realize()
end
sysbus.map(m, TM, tm:child("regs"))
sysbus.map(m, IC, ic:child("regs"))
tm:connect("irq", ic, "in", 7)
ic:connect("irq", cpu, "irq")
local mem = m.memory
mem:write32(IC + intc.ENABLE, 0x80)

local function rd(reg) return (mem:read32(TM + reg)) end
local function wr(reg, v) return (mem:write32(TM + reg, v)) end

t.is(tm:get("tick_ns"), 1000, "tick_ns defaults to 1000 (1 MHz)")
t.is(tm:child("regs").size, 0x10, "four registers")
t.is(rd(timer.CTRL), 0, "stopped at reset")

-- LOAD sets VALUE; a stopped timer does not count.
wr(timer.LOAD, 100)
t.is(rd(timer.LOAD), 100, "LOAD reads back")
t.is(rd(timer.VALUE), 100, "writing LOAD sets VALUE")
t.is(tm:advance(50000), 0, "stopped: no expiry")
t.is(rd(timer.VALUE), 100, "stopped: VALUE holds")
t.is(tm:now(), 50000, "time still passes")
wr(timer.VALUE, 7)
t.is(rd(timer.VALUE), 100, "VALUE ignores writes")

-- One-shot.
wr(timer.CTRL, timer.CTRL_ENABLE + timer.CTRL_IRQ_EN)
t.is(tm:advance(40000), 0, "40 ticks: not yet")
t.is(rd(timer.VALUE), 60, "VALUE counted down by 40")
t.is(tm:advance(1500), 0, "1.5 ticks: one counted, half carried")
t.is(rd(timer.VALUE), 59, "VALUE 59")
t.is(tm:advance(500), 0, "the carried half completes a tick")
t.is(rd(timer.VALUE), 58, "VALUE 58")
t.is(cpu:levels(), "", "no interrupt before expiry")
t.is(tm:advance(1000000), 1, "a one-shot expires once however long")
t.is(rd(timer.VALUE), 0, "and stops at 0")
t.is(rd(timer.CTRL), timer.CTRL_IRQ_EN, "with ENABLE cleared")
t.is(rd(timer.STATUS), timer.STATUS_EXPIRED, "STATUS.EXPIRED set")
t.is(mem:read32(IC + intc.CLAIM), 8, "the intc sees line 7")
t.is(cpu:levels(), "1", "the cpu sees irq rise")
t.is(tm:now(), 50000 + 40000 + 1500 + 500 + 1000000, "now() adds it all up")

-- Acknowledge: writing 0 does nothing, writing 1 clears.
wr(timer.STATUS, 0)
t.is(rd(timer.STATUS), 1, "writing 0 to STATUS keeps it")
wr(timer.STATUS, 1)
t.is(rd(timer.STATUS), 0, "writing 1 clears it")
t.is(cpu:levels(), "1,0", "and irq falls")

-- Periodic, several expiries in one advance.
wr(timer.LOAD, 10)
wr(timer.CTRL, timer.CTRL_ENABLE + timer.CTRL_PERIODIC + timer.CTRL_IRQ_EN)
t.is(tm:advance(9000), 0, "9 of 10 ticks")
t.is(tm:advance(1000), 1, "the tenth expires")
t.is(rd(timer.VALUE), 10, "periodic: reloaded from LOAD")
t.is(tm:advance(35000), 3, "35 ticks: three more expiries")
t.is(rd(timer.VALUE), 5, "and 5 ticks into the next period")
t.ok(rd(timer.CTRL) % 2 == 1, "periodic keeps running")
t.is(cpu:levels(), "1,0,1", "irq rose once: EXPIRED stays set")
wr(timer.STATUS, 1)
t.is(tm:advance(4000), 0, "4 more ticks: none")
t.is(tm:advance(2000), 1, "then one more period ends")
t.is(cpu:levels(), "1,0,1,0,1", "acknowledged, then raised again")

-- IRQ_EN masks the line, not the status.
wr(timer.CTRL, timer.CTRL_ENABLE + timer.CTRL_PERIODIC)
t.is(cpu:levels(), "1,0,1,0,1,0", "clearing IRQ_EN drops irq")
t.is(rd(timer.STATUS), 1, "STATUS stays set")
wr(timer.CTRL, 0xff)
t.is(rd(timer.CTRL), 7, "CTRL keeps its three bits")
t.is(cpu:levels(), "1,0,1,0,1,0,1", "setting IRQ_EN raises it again")
wr(timer.CTRL, 0)
wr(timer.STATUS, 1)

-- A huge advance is counted, not looped.
wr(timer.LOAD, 1)
wr(timer.CTRL, timer.CTRL_ENABLE + timer.CTRL_PERIODIC)
t.is(tm:advance(1e12), 1e9, "10^9 expiries of a 1-tick period")
t.is(tm:advance(0), 0, "advancing 0 does nothing")
wr(timer.CTRL, 0)
wr(timer.STATUS, 1)

-- A faster clock, set as a property.
local fast = timer.new(m, "timer1", { tick_ns = 1 })
sysbus.map(m, TM + 0x10, fast:child("regs"))
mem:write32(TM + 0x10 + timer.LOAD, 0xffffffff)
t.is(mem:read32(TM + 0x10 + timer.VALUE), 0xffffffff, "a full 32-bit LOAD")
mem:write32(TM + 0x10 + timer.CTRL, timer.CTRL_ENABLE)
fast:advance(5)
t.is(mem:read32(TM + 0x10 + timer.VALUE), 0xfffffffa, "1 ns ticks")
t.is(rd(timer.VALUE), 1, "the other timer did not move")

-- Accesses and misuse.
t.is(select(2, mem:read16(TM + timer.VALUE)), "access-error",
     "a 2-byte access fails")
t.raises(function() tm:advance(-1) end,
         "^orrery: timer: advance: expected a whole number", "negative ns")
t.raises(function() tm:advance(1.5) end, "got 1.5", "fractional ns")
t.raises(function() tm:advance("10") end, "got 10", "a string")
t.is(tm:advance(10ULL * 1000), 0, "64-bit cdata is accepted")
local zero = timer.new(m, "timer2", { tick_ns = 0 })
t.raises(function() zero:realize() end, "tick_ns must be at least 1",
         "realize refuses tick_ns 0")
t.raises(function() zero:advance(1) end,
         "^orrery: timer: '/m/timer2': tick_ns must be at least 1",
         "and so does advance")

-- Teardown.
m:unparent()
m, tm, ic, cpu, fast, zero, mem = nil, nil, nil, nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
