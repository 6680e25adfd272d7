-- The GC bridge: one proxy per object, one reference per proxy, __gc only
-- queues, and release() is immediate.
local orrery = require("orrery")
local t = require("orrery.test")

local events = {}
local hook = orrery.on_finalize(function(ev) events[#events + 1] = ev.path end)

-- A parented object whose proxy is dropped lives on: its parent holds it.
local m = orrery.machine("m")
orrery.new("container", { parent = m, name = "c" })
orrery.gc()
t.ok(orrery.resolve("/m/c") ~= nil, "a dropped proxy of a parented object: it lives")
t.is(#events, 0, "nothing finalized")

-- Identity and the one reference.
local c1, c2 = orrery.resolve("/m/c"), m:child("c")
t.ok(c1 == c2, "one proxy per object")
t.is(c1.refcount, 2, "parent + the one proxy")
c1, c2 = nil, nil
orrery.gc()
t.is(orrery.resolve("/m/c").refcount, 2, "a new proxy, still one reference")
orrery.gc()

-- Unparented while the script holds it: finalized only once released.
m:unparent()
t.is(#events, 0, "held by the script after unparent")
t.is(m.path, nil, "no path once out of the tree")
m:release()
t.is(events[1], "/m", "released: finalized at once, the machine first")
t.ok(#events >= 4, "with everything it owned")
t.raises(function() return m.path end, "^orrery: released object",
         "the released proxy raises")

-- Unparented with the proxy merely dropped: finalized after collection.
events = {}
local n = orrery.machine("n")
n:unparent()
n = nil
t.is(#events, 0, "not yet: the proxy still exists")
orrery.gc()
t.is(events[1], "/n", "finalized once the proxy is collected and drained")

-- A region destroyed while its proxy holds the owner: "finalized object".
local o = orrery.machine("o")
local r = orrery.ram(o, "r", 16)
r:unparent()
t.raises(function() return r.size end, "^orrery: finalized object",
         "a proxy of a finalized region raises")
o:unparent()
o:release()

-- Proxies carry no state; objects made without a parent die with them.
local free = orrery.ram(nil, "free", 16)
t.raises(function() free.note = 1 end, "^orrery: cannot set field 'note'",
         "no state on proxies")
free = nil
orrery.gc()

-- A compiled trace keeps what it was specialized on (here the closure,
-- and through its upvalue the proxy) as a constant; orrery.gc() drops
-- traces before it collects, so the object still goes.
local function capture()
    local c = orrery.new("container")
    return function() return c end
end
local held = capture()
local hits = 0
local function spin(fn)
    for _ = 1, 1000 do
        if fn() then hits = hits + 1 end
    end
end
spin(held)
held = nil
orrery.gc()
t.is(orrery.live_count("container"), 0,
     "a proxy held only by a compiled trace goes at orrery.gc()")

hook:remove()
r = nil
orrery.gc()
t.is(orrery.live_count(), 0, "zero live objects at the end")
t.done()
