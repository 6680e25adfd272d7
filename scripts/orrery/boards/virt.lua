-- orrery.boards.virt: a small board.
--
--   local virt = require("orrery.boards.virt")
--   local m = virt.build("virt")       -- the machine at /virt, realized
--   ...
--   m:unparent()                       -- and everything goes with it
--
-- Memory map (virt.MAP):
--   0x00000000  boot ROM alias (the ROM's first 4 KiB)
--   0x00001000  boot ROM, 64 KiB
--   0x10000000  uart0 (16550-style, 8 byte registers)
--   0x10001000  intc  (32 inputs)
--   0x10002000  timer
--   0x10003000  sp0   (scratchpad: a private container of its own regions)
--   0x10005000  dma0  (bus master; its own address space sees RAM at 0)
--   0x80000000  RAM, 16 MiB by default
--
-- Interrupts: uart0.irq -> intc.in[1], timer.irq -> intc.in[2],
-- dma0.irq -> intc.in[3], intc.irq -> cpu.irq.  The "cpu" is a stand-in
-- with one input line that counts its rising edges.
local orrery = require("orrery")
local devkit = require("orrery.devkit")
local sysbus = require("orrery.sysbus")
local uart = require("orrery.uart")
local intc = require("orrery.intc")
local timer = require("orrery.timer")
local scratchpad = require("orrery.scratchpad")
local dma = require("orrery.dma")

local M = {
    MAP = {
        rom_alias = 0x00000000, rom = 0x00001000,
        uart0 = 0x10000000, intc = 0x10001000, timer = 0x10002000,
        sp0 = 0x10003000, dma0 = 0x10005000,
        ram = 0x80000000,
    },
    IRQ = { uart0 = 1, timer = 2, dma0 = 3 },
    ROM_SIZE = 0x10000,
    RAM_SIZE = 16 * 1024 * 1024,
    -- Where examples/hotplug.lua and the board's plug() put a device.
    HOTPLUG = 0x10010000,
}

-- The interrupt input of the processor the board would run.
devkit.register{
    name = "virt-cpu", parent = "device",
    init = function(_, st) st.level, st.raised = 0, 0 end,
    gpio_in = { irq = { count = 1, set = function(_, st, _, level)
        if level ~= 0 and st.level == 0 then
            st.raised = st.raised + 1
        end
        st.level = level
    end } },
    methods = {
        -- The current level of the interrupt line.
        irq_level = function(_, st) return st.level end,
        -- How many times it has been raised.
        irq_count = function(_, st) return st.raised end,
    },
}

-- A tiny boot program: RISC-V "li a0, 0; ecall".
M.BOOT = "\x13\x05\x00\x00\x73\x00\x00\x00"

-- Builds the board as the machine "/<name>" (default "virt") and returns
-- it. Every device is a child of the machine, realized and mapped; the
-- caller holds the machine's proxy. opts.ram_size overrides the RAM size;
-- opts.uart_sink is passed to the UART's set_sink.
function M.build(name, opts)
    opts = opts or {}
    local m = orrery.machine(name or "virt")
    local ram = orrery.ram(m, "ram", opts.ram_size or M.RAM_SIZE)
    local rom = orrery.rom(m, "bootrom", M.ROM_SIZE, M.BOOT)
    local low = orrery.alias(m, "bootrom-low", rom, 0, 0x1000)

    local cpu = orrery.new("virt-cpu", { parent = m, name = "cpu" })
    local u = uart.new(m, "uart0")
    local ic = intc.new(m, "intc")
    local tm = timer.new(m, "timer")
    local sp = scratchpad.new(m, "sp0")
    local d = dma.new(m, "dma0", { ram = ram })
    if opts.uart_sink ~= nil then
        u:set_sink(opts.uart_sink)
    end

    u:connect("irq", ic, "in", M.IRQ.uart0)
    tm:connect("irq", ic, "in", M.IRQ.timer)
    d:connect("irq", ic, "in", M.IRQ.dma0)
    ic:connect("irq", cpu, "irq", 0)

    orrery.transaction(function()
        sysbus.map(m, M.MAP.ram, ram)
        sysbus.map(m, M.MAP.rom, rom)
        sysbus.map(m, M.MAP.rom_alias, low)
        for _, dev in ipairs({ cpu, u, ic, tm, sp, d }) do
            dev:realize()
        end
        sysbus.map(m, M.MAP.uart0, u:child("regs"))
        sysbus.map(m, M.MAP.intc, ic:child("regs"))
        sysbus.map(m, M.MAP.timer, tm:child("regs"))
        sysbus.map(m, M.MAP.sp0, sp:child("regs"))
        sysbus.map(m, M.MAP.dma0, d:child("regs"))
    end)
    return m
end

-- The board's devices, in the order build() made them.
M.devices = sysbus.devices

-- Hot-plugs a scratchpad named @name at @addr (default M.HOTPLUG):
-- creates, realizes and maps it. Returns the device.
function M.plug(m, name, addr)
    local sp = scratchpad.new(m, name)
    sp:realize()
    sysbus.map(m, addr or M.HOTPLUG, sp:child("regs"))
    return sp
end

-- Unplugs @dev: unrealizing it unmaps everything of it from the board,
-- then it leaves the tree. A script still holding its proxy keeps the
-- object (detached) until it lets go.
function M.unplug(dev)
    dev:unrealize()
    dev:unparent()
end

return M
