-- The main job: build the "virt" board, look at its memory map, drive its
-- devices through real MMIO accesses, hot-plug a device, tear the board
-- down, and prove that every object was finalized.
--
--     orrery examples/virt.lua        (this is what `make run` does)
local orrery = require("orrery")
local virt = require("orrery.boards.virt")
local uart = require("orrery.uart")
local intc = require("orrery.intc")
local timer = require("orrery.timer")
local dma = require("orrery.dma")
local scratchpad = require("orrery.scratchpad")

local MAP = virt.MAP
local function section(title)
    print(("\n== %s %s"):format(title, ("="):rep(60 - #title)))
end

local m = virt.build("virt")
local as = m.memory

section("memory map (info mtree -o)")
io.write(orrery.mtree(m, { owners = true }))

-- The UART: the banner goes out one byte at a time, each written to THR
-- once LSR says the transmitter is empty, as a driver would.
section("uart0")
local function putc(byte)
    while bit.band(as:read8(MAP.uart0 + uart.LSR), uart.LSR_THRE) == 0 do end
    assert(as:write8(MAP.uart0 + uart.THR, byte))
end
for c in ("Hello from orrery's virt board!\n"):gmatch(".") do
    putc(c:byte())
end

-- The timer counts down 1000 ticks of 1 us; when it expires its IRQ goes
-- through the interrupt controller to the CPU's input line.
section("timer -> intc -> cpu")
local cpu, tm = m:child("cpu"), m:child("timer")
assert(as:write32(MAP.intc + intc.ENABLE, bit.lshift(1, virt.IRQ.timer)))
assert(as:write32(MAP.timer + timer.LOAD, 1000))
assert(as:write32(MAP.timer + timer.CTRL,
                  timer.CTRL_ENABLE + timer.CTRL_IRQ_EN))
tm:advance(999 * 1000)
print(("after 999 us: VALUE=%d, cpu irq=%d"):format(
    as:read32(MAP.timer + timer.VALUE), cpu:irq_level()))
tm:advance(1000)
print(("after 1 ms:   VALUE=%d, cpu irq=%d, intc claims line %d"):format(
    as:read32(MAP.timer + timer.VALUE), cpu:irq_level(),
    as:read32(MAP.intc + intc.CLAIM) - 1))
assert(as:write32(MAP.timer + timer.STATUS, timer.STATUS_EXPIRED))
print(("acknowledged: cpu irq=%d, raised %d time(s)"):format(
    cpu:irq_level(), cpu:irq_count()))

-- The DMA engine masters its own address space, where an alias of the
-- board's RAM sits at bus address 0.
section("dma0")
local src, dst = 0x1000, 0x2000
assert(as:write_bytes(MAP.ram + src, "copied by dma0"))
assert(as:write32(MAP.dma0 + dma.SRC, src))
assert(as:write32(MAP.dma0 + dma.DST, dst))
assert(as:write32(MAP.dma0 + dma.LEN, 14))
assert(as:write32(MAP.dma0 + dma.CTRL, dma.CTRL_START))
print(("RAM at 0x%x: %q, STATUS=%d"):format(MAP.ram + dst,
    as:read_bytes(MAP.ram + dst, 14), as:read32(MAP.dma0 + dma.STATUS)))
io.write(orrery.mtree(m:child("dma0"):child("dma-as")))

-- Hot-plug: a scratchpad appears in the map, then goes away again.
section("hot-plug")
-- The flat view of the device window, one line per range.
local function device_map(title)
    print(title)
    for _, r in ipairs(as:flatview()) do
        if r.start >= 0x10000000 and r.start < 0x20000000 then
            print(("  %08x-%08x %s/%s"):format(r.start, r.start + r.size - 1,
                                               r.region.owner.path,
                                               r.region.name))
        end
    end
end
device_map("before:")
local sp1 = virt.plug(m, "sp1")
assert(as:write32(virt.HOTPLUG + scratchpad.SCRATCH, 0xcafe))
device_map(("plugged sp1 at 0x%x (SCRATCH reads 0x%x):"):format(
    virt.HOTPLUG, as:read32(virt.HOTPLUG + scratchpad.SCRATCH)))
virt.unplug(sp1)
sp1 = nil
orrery.gc()
device_map(("unplugged (%d scratchpad alive):"):format(
    orrery.live_count("scratchpad")))

-- Teardown: unparent the board and let go of the script's references.
section("teardown")
local before = orrery.live_count()
m:unparent()
m, as, cpu, tm = nil, nil, nil, nil
orrery.gc()
print(("%d objects before, %d after"):format(before, orrery.live_count()))
print(orrery.leaks() or "leak report: every object was finalized, nothing leaked")
