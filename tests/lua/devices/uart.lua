-- orrery.uart through its registers: transmit to each kind of sink,
-- receive, the divisor latch, IIR/LSR, the interrupt line and misuse.
local orrery = require("orrery")
local t = require("orrery.test")
local sysbus = require("orrery.sysbus")
local uart = require("orrery.uart")

-- Running the module again (as a second copy of it would) is harmless:
-- its type is registered once.
package.loaded["orrery.uart"] = nil
t.ok(pcall(require, "orrery.uart"), "loading the module again")
t.is(orrery.type_info("uart").parent, "device", "the type is registered")

-- A stand-in processor that records the levels of its interrupt line.
orrery.type{
    name = "t-cpu", parent = "device",
    init = function(_, st) st.levels = {} end,
    gpio_in = { irq = { count = 1, set = function(_, st, _, level)
        st.levels[#st.levels + 1] = level
    end } },
    methods = {
        levels = function(_, st) return table.concat(st.levels, ",") end,
        forget = function(_, st) st.levels = {} end,
    },
}

local BASE = 0x10000000
local m = orrery.machine("m")
local u = uart.new(m, "uart0")
local cpu = orrery.new("t-cpu", { parent = m, name = "cpu" })
u:realize()
cpu:realize()
sysbus.map(m, BASE, u:child("regs"))
u:connect("irq", cpu, "irq")
local mem = m.memory

local function rd(reg) return (mem:read8(BASE + reg)) end
local function wr(reg, v) return (mem:write8(BASE + reg, v)) end

t.is(u:child("regs").size, 8, "eight registers")
t.is(rd(uart.LSR), uart.LSR_THRE + uart.LSR_TEMT, "LSR at reset: THR empty")
t.is(rd(uart.IIR), uart.IIR_NONE, "IIR at reset: no interrupt")

-- Transmit into a buffer.
u:set_sink("buffer")
for c in ("hi\n"):gmatch(".") do
    t.ok(wr(uart.THR, c:byte()), "THR write of byte " .. c:byte())
end
t.is(u:output(), "hi\n", "the buffer holds what was written, no newline added")
t.raises(function() wr(uart.THR, 0x141) end, "^orrery: write: .*does not fit",
         "a value wider than the access is refused")
wr(uart.THR, 0x41)
t.is(u:output(), "hi\nA", "and nothing of it was sent")
u:clear_output()
t.is(u:output(), "", "clear_output empties the buffer")

-- Transmit to a function, one call per byte.
local calls = {}
u:set_sink(function(s) calls[#calls + 1] = s end)
wr(uart.THR, 0x6f)
wr(uart.THR, 0x6b)
t.is(table.concat(calls, "|"), "o|k", "the function gets each byte alone")
t.is(u:output(), "", "nothing went to the buffer")

-- A 4-byte access at offset 0 is split into the four byte registers.
calls = {}
t.ok(mem:write32(BASE + uart.THR, 0x00000058), "a 4-byte write at THR")
t.is(table.concat(calls), "X", "its low byte was transmitted")
t.is(rd(uart.IER), 0, "its second byte went to IER")
t.is(rd(uart.LCR), 0, "its fourth byte went to LCR")

-- Transmit to stdout (io.write, looked up at each byte).
local real_write = io.write
local seen = {}
io.write = function(s) seen[#seen + 1] = s end -- luacheck: ignore 122
u:set_sink("stdout")
wr(uart.THR, 0x21)
u:set_sink(nil)
wr(uart.THR, 0x3f)
io.write = real_write -- luacheck: ignore 122
t.is(table.concat(seen), "!?", "stdout: bytes through io.write, nothing added")

-- A sink that raises fails the access and leaves THR empty.
u:set_sink(function() error("sink broke") end)
local before = #orrery.hook_errors()
local ok, err = mem:write8(BASE + uart.THR, 0x41)
t.ok(not ok and err == "access-error", "a raising sink fails the access")
t.like(orrery.hook_errors()[before + 1] or "", "sink broke",
       "the sink's error is recorded")
t.is(rd(uart.LSR), uart.LSR_THRE + uart.LSR_TEMT, "and THR is still empty")
u:set_sink("buffer")

-- The scratch register and MCR are plain storage; LSR ignores writes.
wr(uart.SCR, 0xa5)
t.is(rd(uart.SCR), 0xa5, "SCR reads back")
wr(uart.MCR, 0xff)
t.is(rd(uart.MCR), 0x1f, "MCR keeps its five bits")
wr(uart.LSR, 0)
t.is(rd(uart.LSR), 0x60, "LSR is read-only")
t.is(rd(uart.MSR), 0, "MSR reads 0")

-- The divisor latch, behind LCR.DLAB.
wr(uart.LCR, uart.LCR_DLAB + 0x03)
wr(uart.DLL, 0x0c)
wr(uart.DLM, 0x01)
t.is(rd(uart.DLL), 0x0c, "DLL reads back under DLAB")
t.is(rd(uart.DLM), 0x01, "DLM reads back under DLAB")
t.is(u:output(), "", "a DLL write transmits nothing")
wr(uart.LCR, 0x03)
t.is(rd(uart.LCR), 0x03, "LCR reads back")
t.is(rd(uart.IER), 0, "with DLAB clear, offset 1 is IER again")

-- Receive.
u:receive("ab")
t.is(rd(uart.LSR), 0x61, "LSR.DR with data queued")
t.is(rd(uart.RBR), 0x61, "RBR gives the first byte")
t.is(rd(uart.RBR), 0x62, "then the second")
t.is(rd(uart.LSR), 0x60, "LSR.DR clears when the queue is empty")
t.is(rd(uart.RBR), 0, "an empty RBR reads 0")

-- FIFO control: IIR shows the FIFO bits; clearing RX empties the queue.
wr(uart.FCR, uart.FCR_ENABLE)
t.is(rd(uart.IIR), uart.IIR_FIFO + uart.IIR_NONE, "IIR with FIFOs enabled")
u:receive("xyz")
wr(uart.FCR, uart.FCR_ENABLE + uart.FCR_CLEAR_RX)
t.is(rd(uart.LSR), 0x60, "FCR clear-RX drops queued bytes")
wr(uart.FCR, 0)
t.is(rd(uart.IIR), uart.IIR_NONE, "FIFOs off again")

-- Interrupts: receive data available.
cpu:forget()
wr(uart.IER, uart.IER_ERBFI)
t.is(cpu:levels(), "", "ERBFI alone with nothing queued: no interrupt")
u:receive("q")
t.is(cpu:levels(), "1", "a received byte raises irq")
t.is(rd(uart.IIR), uart.IIR_RDI, "IIR reports receive data")
t.is(rd(uart.IIR), uart.IIR_RDI, "reading IIR does not clear it")
t.is(rd(uart.RBR), 0x71, "reading RBR gets the byte")
t.is(cpu:levels(), "1,0", "and lowers irq")
u:receive("rs")
t.is(cpu:levels(), "1,0,1", "queued bytes raise it once")
rd(uart.RBR)
t.is(cpu:levels(), "1,0,1", "still high while a byte remains")
rd(uart.RBR)
t.is(cpu:levels(), "1,0,1,0", "low when the queue is empty")

-- Interrupts: THR empty, the 16550 way.
cpu:forget()
wr(uart.IER, uart.IER_ETBEI)
t.is(cpu:levels(), "1", "enabling ETBEI raises irq (THR is empty)")
t.is(rd(uart.IIR), uart.IIR_THRI, "IIR reports THR empty, and that clears it")
t.is(cpu:levels(), "1,0", "so irq drops")
t.is(rd(uart.IIR), uart.IIR_NONE, "nothing pending any more")
wr(uart.THR, 0x2e)
t.is(cpu:levels(), "1,0,1", "a completed THR write makes it pending again")
wr(uart.THR, 0x2e)
t.is(cpu:levels(), "1,0,1,0,1", "the next write clears it, then completes")
wr(uart.IER, 0)
t.is(cpu:levels(), "1,0,1,0,1,0", "disabling ETBEI drops it")
wr(uart.IER, uart.IER_ETBEI)
t.is(cpu:levels(), "1,0,1,0,1,0,1", "re-enabling makes it pending again")

-- Priority: receive data comes before THR empty.
wr(uart.IER, uart.IER_ERBFI + uart.IER_ETBEI)
u:receive("z")
t.is(rd(uart.IIR), uart.IIR_RDI, "both pending: IIR reports receive data")
t.is(rd(uart.IIR), uart.IIR_RDI, "and reading it leaves THR empty pending")
rd(uart.RBR)
t.is(rd(uart.IIR), uart.IIR_THRI, "then THR empty shows")
t.is(rd(uart.IIR), uart.IIR_NONE, "until read")
t.is(cpu:levels(), "1,0,1,0,1,0,1,0", "irq stayed up until both were gone")
t.is(u:output(), "..", "the THR writes went to the buffer")

-- Misuse.
t.raises(function() u:set_sink(42) end,
         "^orrery: uart: set_sink: expected a function.*got number",
         "a sink that is neither a function nor a known name")
t.raises(function() u:set_sink("file") end, '^orrery: uart: set_sink: .*"file"',
         "an unknown sink name")
t.raises(function() u:receive(65) end,
         "^orrery: uart: receive: expected a string, got number",
         "receive wants a string")
t.is(select(2, mem:read8(BASE + 8)), "decode-error", "nothing past the regs")

-- A second uart, never parented: its own state.
local v = uart.new(nil, nil)
v:set_sink("buffer")
t.is(v:output(), "", "instances do not share state")
v:release()

-- An unparented uart loses its state once it is collected.
local lone = uart.new(m, "uart1")
lone:unparent()
orrery.gc()
t.raises(function() lone:receive("x") end,
         "^orrery: uart: receive: the device has no state any more",
         "methods of an unparented uart say its state is gone")
lone:release()

-- Teardown: a sink holding the device does not keep it alive.
do
    local dev = u
    u:set_sink(function(s) dev:receive(s) end)
end
wr(uart.THR, 0x40)
t.is(rd(uart.RBR), 0x40, "a sink looping back through the device")
m:unparent()
m, u, cpu, mem, v = nil, nil, nil, nil, nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
