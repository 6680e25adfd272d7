-- Memory listeners in Lua: replay, ordering, nested transactions, errors.
local orrery = require("orrery")
local t = require("orrery.test")

local m = orrery.machine("m")
local a = orrery.ram(m, "a", 0x1000)
m.sysmem:add(0x1000, a)

local seen = {}
local function rec(what) return function(r)
    seen[#seen + 1] = r and string.format("%s %s@%x", what, r.name, r.start)
        or what
end end
local h = m.memory:listen{ begin = rec("begin"), commit = rec("commit"),
                           region_add = rec("add"), region_del = rec("del"),
                           region_nop = rec("nop") }
t.is(table.concat(seen, ", "), "begin, add a@1000, commit",
     "registration replays the view")

seen = {}
local b = orrery.ram(m, "b", 0x1000)
orrery.transaction(function()
    orrery.transaction(function() m.sysmem:add(0x3000, b) end)
    m.sysmem:del(a)
end)
t.is(table.concat(seen, ", "), "begin, del a@1000, add b@3000, commit",
     "nested transactions: one update, deletions first")

seen = {}
h:remove()
t.is(table.concat(seen, ", "), "begin, del b@3000, commit",
     "removal replays deletions")
h:remove() -- a second remove does nothing
seen = {}
m.sysmem:add(0x1000, a)
t.is(#seen, 0, "a removed listener hears nothing")

-- Errors in callbacks are recorded; the update goes on.
local before = #orrery.hook_errors()
local h2 = m.memory:listen{ region_add = function() error("listener broke") end }
t.ok(#orrery.hook_errors() > before, "a failing callback is recorded")
t.like(orrery.hook_errors()[#orrery.hook_errors()], "listener region_add",
       "with the callback's name")
t.raises(function() m.memory:listen{ begin = 1 } end,
         "^orrery: listen: begin must be a function", "misuse")

-- The listener goes with its address space.
m:unparent()
m:release()
a, b = nil, nil
orrery.gc()
h2:remove() -- harmless: already gone
t.is(orrery.live_count(), 0, "zero live objects")
t.done()
