-- A teardown test, written the way we suggest writing yours: build the
-- machine, use it, tear it down, and let the test prove that every object
-- was finalized, in the documented order.
--
--     orrery --test examples/teardown-test.lua
local orrery = require("orrery")
local t = require("orrery.test")
local virt = require("orrery.boards.virt")
local uart = require("orrery.uart")

-- Record every finalization.
local finalized = {}
local hook = orrery.on_finalize(function(ev)
    finalized[#finalized + 1] = ev.path
end)

local m = virt.build("board")
local as = m.memory
local u = m:child("uart0")
u:set_sink("buffer")
as:write8(virt.MAP.uart0 + uart.THR, string.byte("!"))
t.is(u:output(), "!", "the board works before teardown")

-- A hot-plugged device, unplugged while the script holds it: it stays
-- alive, out of the tree, until the script lets go.
local sp = virt.plug(m, "extra")
virt.unplug(sp)
orrery.gc()
t.is(sp.path, nil, "an unplugged device is out of the tree")
t.is(#finalized, 0, "and alive while the script holds it")
sp = nil
orrery.gc()
t.is(finalized[1], "/board/extra", "letting go finalizes it")

-- Tear down. First let go of every reference but the machine's and
-- collect, so that proxies which are garbage but not yet collected hold
-- nothing; then the tree alone decides the order. Unparenting the machine
-- and releasing its proxy finalizes it at once, and everything with it.
as, u = nil, nil
orrery.gc()
finalized = {}
m:unparent()
m:release()
t.is(finalized[1], "/board", "the machine finalizes first")
local pos = {}
for i, path in ipairs(finalized) do
    pos[path] = i
end
t.ok(pos["/board/dma0"] < pos["/board/uart0"],
     "children go in reverse order of addition")
t.ok(pos["/board/dma0/regs"] ~= nil, "with everything they own")
t.is(orrery.live_count(), 0, "zero live objects")
t.is(orrery.leaks(), nil, "no leak report")
t.is(#orrery.cycles(), 0, "no cycles")

hook:remove()
t.done()
