-- orrery.dma: a bus-master copy engine with an address space of its own.
--
-- The device sees memory through "dma-as", an address space over its
-- private container "bus", in which an alias of the RAM region named by
-- its `ram` link appears at bus address 0.  The alias belongs to the
-- device and references the RAM: a device mapping its machine's RAM into
-- its own view makes no cycle, since nothing the RAM's owner holds refers
-- back to the device.  The alias is made at realize.
--
--   local dma = require("orrery.dma")
--   local d = dma.new(m, "dma0", { ram = m:child("ram") })
--   d:realize()
--   sysbus.map(m, 0x10004000, d:child("regs"))
--
-- Registers (32-bit):
--   0x00 SRC     bus address to copy from      (rw)
--   0x04 DST     bus address to copy to        (rw)
--   0x08 LEN     bytes to copy                 (rw)
--   0x0c CTRL    write CTRL_START to copy now  (wo)
--   0x10 STATUS  STATUS_DONE | STATUS_ERROR; write 1s to clear
-- A finished copy sets DONE (or ERROR if an access failed) and raises the
-- "irq" output while STATUS is non-zero.
local orrery = require("orrery")
local devkit = require("orrery.devkit")

local M = {
    TYPE = "dma",
    SRC = 0x00, DST = 0x04, LEN = 0x08, CTRL = 0x0c, STATUS = 0x10,
    CTRL_START = 0x1,
    STATUS_DONE = 0x1, STATUS_ERROR = 0x2,
    BUS_SIZE = 0x100000000,
}

local fail = devkit.errors("dma")

local function update_irq(self, st)
    self:set_gpio("irq", st.status ~= 0 and 1 or 0)
end

-- Copies through the device's own address space.
local function run(self, st)
    local as = self:child("dma-as")
    local data, err = as:read_bytes(st.src, st.len)
    if not err then
        local _
        _, err = as:write_bytes(st.dst, data)
    end
    st.copies = st.copies + 1
    st.status = bit.bor(st.status, err and M.STATUS_ERROR or M.STATUS_DONE)
    update_irq(self, st)
end

local function read(_, st, offset)
    if offset == M.SRC then
        return st.src
    elseif offset == M.DST then
        return st.dst
    elseif offset == M.LEN then
        return st.len
    elseif offset == M.STATUS then
        return st.status
    end
    return 0
end

local function write(self, st, offset, value)
    if offset == M.SRC then
        st.src = value
    elseif offset == M.DST then
        st.dst = value
    elseif offset == M.LEN then
        st.len = value
    elseif offset == M.CTRL and bit.band(value, M.CTRL_START) ~= 0 then
        run(self, st)
    elseif offset == M.STATUS then
        st.status = bit.band(st.status, bit.bnot(value))
        update_irq(self, st)
    end
end

devkit.register{
    name = M.TYPE, parent = "device",
    props = { ram = { type = "link", target = "memory-region" } },
    gpio_out = { "irq" },
    init = function(self, st)
        st.src, st.dst, st.len, st.status, st.copies = 0, 0, 0, 0, 0
        orrery.io(self, "regs", 0x20, devkit.io_ops{
            read = read, write = write, min_access = 4, max_access = 4,
        })
        local bus = orrery.container(self, "bus", M.BUS_SIZE)
        orrery.address_space(self, "dma-as", bus)
    end,
    -- The window onto the RAM is made at realize, replacing the one a
    -- previous realize made (the link may have changed since). It
    -- stays through unrealize: it is private to the device, and its
    -- edge to the RAM is non-owning, so it holds nothing up.
    realize = function(self)
        local ram = self:get("ram")
        if ram == nil then
            fail("the ram link is not set")
        end
        local bus, old = self:child("bus"), self:child("ram-window")
        if old ~= nil then
            bus:del(old)
            old:unparent()
        end
        bus:add(0, orrery.alias(self, "ram-window", ram, 0, ram.size))
    end,
    methods = {
        -- Number of copies started so far.
        copies = function(_, st) return st.copies end,
    },
}

-- Creates a DMA engine named @name under @parent; props.ram names the RAM
-- region it masters.
M.new = devkit.constructor(M.TYPE)

return M
