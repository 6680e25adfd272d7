-- A board to explore interactively:
--
--     orrery -i examples/explore.lua
--
-- Then try, at the prompt:
--     info mtree                  the memory tree (also -f, -o, -D)
--     info qom-tree               the composition tree
--     help(uart0)                 what a device offers
--     = uart0:get("realized")
--     = as:read32(0x10003000)     the scratchpad's ID register
--     uart0:set_sink("buffer"); say("hi"); = uart0:output()
--     tick(5000)                  advance the timer by 5 ms
--     = cpu:irq_count()
--     = orrery.resolve("/virt/sp0/da   (press Tab inside the string)
-- Ctrl-D leaves, after the leak report; `teardown()` tears down first.
local orrery = require("orrery")
local virt = require("orrery.boards.virt")
local uart = require("orrery.uart")
local intc = require("orrery.intc")
local timer = require("orrery.timer")

m = virt.build("virt")
as = m.memory
uart0, cpu, tm = m:child("uart0"), m:child("cpu"), m:child("timer")

-- Writes @s to the UART one byte at a time through its THR register.
function say(s)
    for c in s:gmatch(".") do
        as:write8(virt.MAP.uart0 + uart.THR, c:byte())
    end
end

-- Starts the timer (1 ms period, interrupting through the intc) on first
-- use, then advances it by @us microseconds.
function tick(us)
    if bit.band(as:read32(virt.MAP.timer + timer.CTRL), timer.CTRL_ENABLE) == 0 then
        as:write32(virt.MAP.intc + intc.ENABLE, bit.lshift(1, virt.IRQ.timer))
        as:write32(virt.MAP.timer + timer.LOAD, 1000)
        as:write32(virt.MAP.timer + timer.CTRL, timer.CTRL_ENABLE +
                   timer.CTRL_PERIODIC + timer.CTRL_IRQ_EN)
    end
    return tm:advance(us * 1000)
end

-- Tears the board down and shows what is left (nothing, normally).
function teardown()
    m:unparent()
    m, as, uart0, cpu, tm = nil, nil, nil, nil, nil
    orrery.gc()
    return orrery.leaks() or "nothing leaked"
end

print("the virt board is at /virt; globals: m, as, uart0, cpu, tm, " ..
      "say(s), tick(us), teardown()")
