-- orrery.intc through its registers, with real sources: a uart on line
-- 3, a timer on line 5, and a test source on lines 0 and 31; its output
-- goes to a stand-in processor.
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")
local intc = require("orrery.intc")
local uart = require("orrery.uart")
local timer = require("orrery.timer")

-- Running the module again (as a second copy of it would) is harmless:
-- its type is registered once.
package.loaded["orrery.intc"] = nil
t.ok(pcall(require, "orrery.intc"), "loading the module again")

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

-- Two output lines a test can drive directly.
orrery.type{ name = "t-src", parent = "device", gpio_out = { "a", "b" } }

local IC, UART, TIMER = 0x10001000, 0x10000000, 0x10002000
local m = orrery.machine("m")
local ic = intc.new(m, "intc")
local u = uart.new(m, "uart0")
local tm = timer.new(m, "timer0", { tick_ns = 10 })
local cpu = orrery.new("t-cpu", { parent = m, name = "cpu" })
local src = orrery.new("t-src", { parent = m, name = "src" })
for _, d in ipairs({ ic, u, tm, cpu, src }) do
    d:realize()
end
sysbus.map(m, IC, ic:child("regs"))
sysbus.map(m, UART, u:child("regs"))
sysbus.map(m, TIMER, tm:child("regs"))
u:connect("irq", ic, "in", 3)
tm:connect("irq", ic, "in", 5)
src:connect("a", ic, "in", 0)
src:connect("b", ic, "in", 31)
ic:connect("irq", cpu, "irq")
u:set_sink("buffer")
local mem = m.memory

local function rd(reg) return (mem:read32(IC + reg)) end
local function wr(reg, v) return (mem:write32(IC + reg, v)) end

t.is(ic:child("regs").size, 0x10, "four registers")
t.is(rd(intc.PENDING), 0, "nothing pending at reset")
t.is(rd(intc.ENABLE), 0, "nothing enabled at reset")
t.is(rd(intc.CLAIM), 0, "CLAIM reads 0 with nothing to claim")

-- A uart interrupt reaches line 3; while disabled it only shows as pending.
mem:write8(UART + uart.IER, uart.IER_ERBFI)
u:receive("k")
t.is(rd(intc.PENDING), 0x8, "the uart asserts line 3")
t.is(ic:pending(), 0x8, "pending() agrees")
t.is(rd(intc.STATUS), 0, "STATUS is empty while line 3 is disabled")
t.is(rd(intc.CLAIM), 0, "and there is nothing to claim")
t.is(cpu:levels(), "", "irq stays low")

-- Enabling it raises irq.
t.ok(wr(intc.ENABLE, 0x8), "ENABLE write")
t.is(rd(intc.ENABLE), 0x8, "ENABLE reads back")
t.is(ic:enabled(), 0x8, "enabled() agrees")
t.is(cpu:levels(), "1", "enabling a pending line raises irq")
t.is(rd(intc.STATUS), 0x8, "STATUS = PENDING & ENABLE")
t.is(rd(intc.CLAIM), 4, "CLAIM names line 3 (as 3 + 1)")
t.is(rd(intc.CLAIM), 4, "reading CLAIM does not clear it")
wr(intc.CLAIM, 4)
t.is(rd(intc.PENDING), 0x8, "a CLAIM write is ignored: still pending")
t.is(cpu:levels(), "1", "and irq did not move")

-- The source drops its level: the line clears.
t.is(mem:read8(UART + uart.RBR), 0x6b, "the guest reads the byte")
t.is(rd(intc.PENDING), 0, "line 3 clears when the uart drops it")
t.is(cpu:levels(), "1,0", "irq falls")

-- A timer expiry on line 5, with line 3 also pending: CLAIM gives the lowest.
wr(intc.ENABLE, 0x28)
mem:write32(TIMER + timer.LOAD, 3)
mem:write32(TIMER + timer.CTRL, timer.CTRL_ENABLE + timer.CTRL_IRQ_EN)
tm:advance(30)
t.is(rd(intc.PENDING), 0x20, "the timer asserts line 5")
t.is(rd(intc.CLAIM), 6, "CLAIM names line 5")
u:receive("z")
t.is(rd(intc.PENDING), 0x28, "lines 3 and 5 pending")
t.is(rd(intc.CLAIM), 4, "CLAIM names the lowest: line 3")
t.is(cpu:levels(), "1,0,1", "one rising edge for both")
mem:read8(UART + uart.RBR)
t.is(rd(intc.CLAIM), 6, "line 3 gone: line 5 is next")
mem:write32(TIMER + timer.STATUS, timer.STATUS_EXPIRED)
t.is(rd(intc.CLAIM), 0, "the timer acknowledged: nothing left")
t.is(cpu:levels(), "1,0,1,0", "irq falls once both are gone")

-- Disabling a pending line lowers irq; enabling it again raises it.
u:receive("y")
t.is(cpu:levels(), "1,0,1,0,1", "line 3 again")
wr(intc.ENABLE, 0x20)
t.is(cpu:levels(), "1,0,1,0,1,0", "masked: irq falls, driven once")
t.is(rd(intc.PENDING), 0x8, "the line is still pending while masked")
wr(intc.ENABLE, 0x28)
t.is(cpu:levels(), "1,0,1,0,1,0,1", "unmasked: irq rises")
wr(intc.ENABLE, 0x2c)
t.is(cpu:levels(), "1,0,1,0,1,0,1", "enabling another line: no change, no drive")
mem:read8(UART + uart.RBR)

-- Line 0 and line 31, the edges of the mask.
wr(intc.ENABLE, 0xffffffff)
t.is(rd(intc.ENABLE), 0xffffffff, "all 32 lines enabled, read back unsigned")
src:set_gpio("b", 1)
t.is(rd(intc.PENDING), 0x80000000, "line 31 pending, as an unsigned value")
t.is(ic:pending(), 0x80000000, "pending() is unsigned too")
t.is(rd(intc.CLAIM), 32, "CLAIM names line 31")
src:set_gpio("a", 1)
t.is(rd(intc.CLAIM), 1, "line 0 comes first")
t.is(rd(intc.STATUS), 0x80000001, "STATUS shows both")
src:set_gpio("a", 0)
src:set_gpio("b", 0)
t.is(rd(intc.PENDING), 0, "both dropped")

-- Read-only registers ignore writes; other accesses fail.
wr(intc.PENDING, 0xff)
wr(intc.STATUS, 0xff)
t.is(rd(intc.PENDING), 0, "PENDING ignores writes")
t.is(rd(intc.STATUS), 0, "STATUS ignores writes")
t.is(select(2, mem:read8(IC + intc.ENABLE)), "access-error",
     "a 1-byte access fails")
t.is(select(2, mem:read32(IC + 2)), "access-error", "an unaligned access fails")
t.is(cpu:levels(), "1,0,1,0,1,0,1,0,1,0", "the whole history of irq")

-- Teardown.
m:unparent()
m, ic, u, tm, cpu, src, mem = nil, nil, nil, nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
