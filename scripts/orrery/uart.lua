-- orrery.uart: a 16550-style UART, type "uart".
--
--   local uart = require("orrery.uart")
--   local u = uart.new(m, "uart0")
--   sysbus.map(m, 0x10000000, u:child("regs"))
--   u:set_sink("buffer")       -- collect what the guest sends
--   u:receive("hello\n")       -- queue bytes for the guest to read
--   u:connect("irq", intc, "in", 3)
--
-- Eight byte-wide registers (regs is 8 bytes; accesses of 1 to 4 bytes,
-- wider ones are split into bytes). Transmission is instantaneous: THR is
-- always empty, each byte goes to the sink as it is written. The receive
-- queue is unbounded (no overrun); FIFO trigger levels, line status and
-- modem status interrupts are not modelled, MSR reads 0 and OUT2 does not
-- gate the interrupt.
local orrery = require("orrery")
local devkit = require("orrery.devkit")
local bit = require("bit")

local band, bor = bit.band, bit.bor

local M = {}

M.TYPE = "uart"
M.SIZE = 8

-- Register offsets. DLL and DLM replace RBR/THR and IER while LCR.DLAB is set.
M.RBR, M.THR, M.DLL = 0, 0, 0
M.IER, M.DLM = 1, 1
M.IIR, M.FCR = 2, 2
M.LCR = 3
M.MCR = 4
M.LSR = 5
M.MSR = 6
M.SCR = 7

-- IER bits.
M.IER_ERBFI = 0x01 -- receive data available
M.IER_ETBEI = 0x02 -- transmit holding register empty
M.IER_ELSI = 0x04 -- receiver line status (stored, never raised)
M.IER_EDSSI = 0x08 -- modem status (stored, never raised)

-- IIR values: the interrupt identification, plus the FIFO bits.
M.IIR_NONE = 0x01
M.IIR_THRI = 0x02
M.IIR_RDI = 0x04
M.IIR_FIFO = 0xc0 -- set while FCR.ENABLE is

-- FCR bits.
M.FCR_ENABLE = 0x01
M.FCR_CLEAR_RX = 0x02
M.FCR_CLEAR_TX = 0x04

M.LCR_DLAB = 0x80

-- LSR bits.
M.LSR_DR = 0x01
M.LSR_THRE = 0x20
M.LSR_TEMT = 0x40

-- Methods get st nil once an unparented device's state was dropped.
local fail, need_state = devkit.errors("uart")

-- --- Receive queue: bytes rx[head..tail] --------------------------------

local function rx_count(st)
    return st.rx_tail - st.rx_head + 1
end

local function rx_pop(st)
    if rx_count(st) <= 0 then
        return nil
    end
    local b = st.rx[st.rx_head]
    st.rx[st.rx_head] = nil
    st.rx_head = st.rx_head + 1
    return b
end

local function rx_clear(st)
    st.rx, st.rx_head, st.rx_tail = {}, 1, 0
end

-- --- Interrupts ----------------------------------------------------------

-- The highest-priority pending source, as IIR reports it.
local function source(st)
    if band(st.ier, M.IER_ERBFI) ~= 0 and rx_count(st) > 0 then
        return M.IIR_RDI
    end
    if band(st.ier, M.IER_ETBEI) ~= 0 and st.thr_pending then
        return M.IIR_THRI
    end
    return M.IIR_NONE
end

-- Drives irq to the level the state calls for, when it changed.
local function update_irq(self, st)
    devkit.set_irq(self, st, source(st) ~= M.IIR_NONE and 1 or 0)
end

-- --- Transmit ------------------------------------------------------------

local function emit(st, ch)
    local sink = st.sink
    if sink == "buffer" then
        st.out[#st.out + 1] = ch
    elseif sink == nil then
        io.write(ch)
    else
        sink(ch)
    end
end

-- A THR write: the byte leaves at once, so the empty interrupt that the
-- write cleared is pending again when it returns (a pulse on irq). A
-- sink that raises fails the access, the UART state kept consistent.
local function transmit(self, st, value)
    st.thr_pending = false
    update_irq(self, st)
    local ok, err = pcall(emit, st, string.char(band(value, 0xff)))
    st.thr_pending = true
    update_irq(self, st)
    if not ok then
        error(err, 0)
    end
end

-- --- Registers -----------------------------------------------------------

local function dlab(st)
    return band(st.lcr, M.LCR_DLAB) ~= 0
end

local function lsr(st)
    local v = bor(M.LSR_THRE, M.LSR_TEMT)
    if rx_count(st) > 0 then
        v = bor(v, M.LSR_DR)
    end
    return v
end

local function read_iir(self, st)
    local src = source(st)
    if src == M.IIR_THRI then -- reading it as the source acknowledges it
        st.thr_pending = false
        update_irq(self, st)
    end
    if band(st.fcr, M.FCR_ENABLE) ~= 0 then
        src = bor(src, M.IIR_FIFO)
    end
    return src
end

local readers = {
    [M.RBR] = function(self, st)
        if dlab(st) then
            return st.dll
        end
        local b = rx_pop(st)
        update_irq(self, st)
        return b or 0
    end,
    [M.IER] = function(_, st) return dlab(st) and st.dlm or st.ier end,
    [M.IIR] = read_iir,
    [M.LCR] = function(_, st) return st.lcr end,
    [M.MCR] = function(_, st) return st.mcr end,
    [M.LSR] = function(_, st) return lsr(st) end,
    [M.MSR] = function() return 0 end,
    [M.SCR] = function(_, st) return st.scr end,
}

local function write_ier(self, st, v)
    local old = st.ier
    st.ier = band(v, 0x0f)
    if band(bit.bxor(old, st.ier), M.IER_ETBEI) ~= 0 then
        -- THR is always empty: enabling ETBEI makes the interrupt pending.
        st.thr_pending = band(st.ier, M.IER_ETBEI) ~= 0
    end
    update_irq(self, st)
end

local function write_fcr(self, st, v)
    -- Turning the FIFOs on or off empties them, as on the 16550.
    if band(bit.bxor(v, st.fcr), M.FCR_ENABLE) ~= 0
            or band(v, M.FCR_CLEAR_RX) ~= 0 then
        rx_clear(st)
    end
    st.fcr = band(v, 0xc9) -- the clear bits are self-clearing
    update_irq(self, st)
end

local writers = {
    [M.THR] = function(self, st, v)
        if dlab(st) then
            st.dll = v
        else
            transmit(self, st, v)
        end
    end,
    [M.IER] = function(self, st, v)
        if dlab(st) then
            st.dlm = v
        else
            write_ier(self, st, v)
        end
    end,
    [M.FCR] = write_fcr,
    [M.LCR] = function(_, st, v) st.lcr = v end,
    [M.MCR] = function(_, st, v) st.mcr = band(v, 0x1f) end,
    [M.LSR] = function() end, -- read-only
    [M.MSR] = function() end, -- read-only
    [M.SCR] = function(_, st, v) st.scr = v end,
}

local REGS_OPS = devkit.io_ops{
    read = function(self, st, offset)
        return readers[offset](self, st)
    end,
    write = function(self, st, offset, value)
        writers[offset](self, st, band(value, 0xff))
    end,
    min_access = 1, max_access = 4, impl_min = 1, impl_max = 1,
}

-- --- Methods -------------------------------------------------------------

local methods = {}

-- uart:set_sink(x): where transmitted bytes go. x is a function(str)
-- called once per byte, "buffer" to collect them for uart:output(), or
-- nil / "stdout" for io.write (the default).
function methods.set_sink(_, st, x)
    need_state(st, "set_sink")
    if x == nil or x == "stdout" then
        st.sink = nil
    elseif x == "buffer" or type(x) == "function" then
        st.sink = x
    else
        fail("set_sink: expected a function, \"buffer\", \"stdout\" or nil, "
             .. "got %s", type(x) == "string" and ("%q"):format(x) or type(x))
    end
end

-- uart:output() --> the text collected while the sink was "buffer".
function methods.output(_, st)
    return table.concat(need_state(st, "output").out)
end

-- uart:clear_output(): forgets the collected text.
function methods.clear_output(_, st)
    need_state(st, "clear_output").out = {}
end

-- uart:receive(str): queues the bytes of str for RBR.
function methods.receive(self, st, s)
    need_state(st, "receive")
    if type(s) ~= "string" then
        fail("receive: expected a string, got %s", type(s))
    end
    for i = 1, #s do
        st.rx_tail = st.rx_tail + 1
        st.rx[st.rx_tail] = s:byte(i)
    end
    update_irq(self, st)
end

local function init(self, st)
    st.ier, st.lcr, st.mcr, st.scr, st.fcr = 0, 0, 0, 0, 0
    st.dll, st.dlm = 0, 0
    st.thr_pending = false
    st.irq = 0
    st.sink = nil
    st.out = {}
    rx_clear(st)
    orrery.io(self, "regs", M.SIZE, REGS_OPS)
end

devkit.register{
    name = M.TYPE, parent = "device",
    init = init,
    methods = methods,
    gpio_out = { "irq" },
}

-- uart.new(parent, name [, props]) --> a new uart device.
M.new = devkit.constructor(M.TYPE)

return M
