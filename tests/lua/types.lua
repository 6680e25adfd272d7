-- Types defined in Lua: hooks and their order, props, methods, state,
-- GPIO lines, misuse, and the state cut that frees self-references.
local orrery = require("orrery")
local t = require("orrery.test")

local log = {}
local function note(s) log[#log + 1] = s end

orrery.type{
    name = "t-uart", parent = "device",
    props = { baud = { type = "uint", default = 115200 },
              mode = { type = "enum", values = { "a", "b" }, default = "a" } },
    init = function(_, st) st.tx = {}; note("init") end,
    realize = function(self) note("realize " .. self:get("baud")) end,
    unrealize = function() note("unrealize") end,
    finalize = function(self) note("finalize " .. self.type) end,
    methods = {
        putc = function(_, st, c) st.tx[#st.tx + 1] = c; return #st.tx end,
        text = function(_, st) return table.concat(st.tx) end,
    },
    gpio_out = { "irq" },
}

orrery.type{
    name = "t-intc", parent = "device",
    gpio_in = { irq = { count = 4, set = function(_, st, n, level)
        st.seen = (st.seen or "") .. n .. "=" .. level .. " "
    end } },
    init = function(_, st) st.seen = "" end,
    methods = { seen = function(_, st) return st.seen end },
}

local m = orrery.machine("m")
local u = orrery.new("t-uart", { parent = m, name = "uart0",
                                 props = { baud = 9600 } })
t.is(u:get("baud"), 9600, "a prop set by new")
t.is(u:get("mode"), "a", "an enum default")
t.raises(function() u:set("mode", "zz") end, "^orrery: set: .*mode.*zz",
         "a bad enum value names the property and the value")
u:realize()
t.ok(u.realized, "realized")
t.is(u:putc("h"), 1, "a method gets its state")
u:putc("i")
t.is(u:text(), "hi", "the state persists between calls")

-- GPIO: the uart's irq drives line 2 of the intc.
local ic = orrery.new("t-intc", { parent = m, name = "intc" })
u:connect("irq", ic, "irq", 2)
u:set_gpio("irq", 1)
u:set_gpio("irq", 0)
t.is(ic:seen(), "2=1 2=0 ", "levels reach the Lua input handler")

-- Subtypes run every level's init, root first.
orrery.type{ name = "t-uart2", parent = "t-uart",
             init = function(_, st) st.sub = true; note("init2") end,
             methods = { sub = function(_, st) return st.sub end } }
log = {}
local u2 = orrery.new("t-uart2", { parent = m, name = "uart1" })
t.is(table.concat(log, ","), "init,init2", "init runs root to leaf")
t.ok(u2:sub() and u2:text() == "", "methods of both levels")

-- Teardown: unrealize before finalize, finalize with the object intact.
log = {}
m:unparent()
m:release()
u, u2, ic = nil, nil, nil
orrery.gc()
t.is(table.concat(log, ","), "unrealize,finalize t-uart2,finalize t-uart",
     "unrealize, then finalize in reverse order of addition")

-- Proxies an unrealize hook makes of its device, or of what the device
-- owns, are released when the hook returns; one the script had before
-- stays usable.
local kept = {}
orrery.type{ name = "t-keeper", parent = "device",
             init = function(self) orrery.ram(self, "r", 16) end,
             unrealize = function(self)
                 kept.self, kept.r = self, self:child("r")
             end }
local km = orrery.machine("km")
orrery.new("t-keeper", { parent = km, name = "k" }):realize()
orrery.gc()
km:child("k"):release() -- no proxy of the device is left
orrery.resolve("/km/k"):unrealize()
t.raises(function() return kept.r.size end, "^orrery: released object",
         "a region proxy made in unrealize is released after it")
local k = km:child("k")
t.ok(not k.realized, "the device itself is fine")
k:realize()
k:unrealize()
t.ok(kept.self == k, "a proxy that existed before is the hook's self")
t.ok(kept.self.path == "/km/k", "and stays usable")
kept, k = nil, nil
km:unparent()
km:release()
orrery.gc()

-- A Lua type storing self in its state is freed after unparent.
orrery.type{ name = "t-selfish",
             init = function(self, st) st.self = self end }
local holder = orrery.machine("h")
orrery.new("t-selfish", { parent = holder, name = "s" })
orrery.gc()
t.is(orrery.live_count("t-selfish"), 1, "alive while parented")
holder:unparent()
holder:release()
holder = nil
orrery.gc()
t.is(orrery.live_count("t-selfish"), 0, "unparent cut the state: freed")

-- Never parented, the same object keeps itself alive until released.
local weak = setmetatable({}, { __mode = "v" })
weak[1] = orrery.new("t-selfish")
orrery.gc()
t.is(orrery.live_count("t-selfish"), 1, "a self-reference in state keeps it")
t.like(orrery.leaks(), "t%-selfish", "the leak report names it")
-- Its only proxy lives in its own state; releasing it breaks the cycle.
weak[1]:release()
t.is(orrery.live_count("t-selfish"), 0, "released: finalized")

-- Misuse.
t.raises(function() orrery.type{ name = "t-uart" } end, "exists",
         "defining a type twice")
t.raises(function() orrery.type{ name = "t-x", parent = "nope" } end,
         "parent type 'nope' does not exist", "an unknown parent")
t.raises(function() orrery.type{ name = "t-y", realize = function() end } end,
         "needs a device parent", "realize on a plain object")
t.raises(function() orrery.type{ name = "t-z", props = { p = { type = "float" } } } end,
         "has type 'float'", "a bad property type")
t.raises(function() orrery.type{ name = "t-w", init = 3 } end,
         "init must be a function", "a hook that is not a function")
t.is(orrery.type_info("t-uart").parent, "device", "type_info")
t.ok(#orrery.types("device") >= 3, "types below device")

-- Errors inside hooks are recorded, not raised; realize failure rolls back.
orrery.type{ name = "t-bad", parent = "device",
             init = function() error("init broke") end,
             realize = function() error("no realize today") end }
local before = #orrery.hook_errors()
local b = orrery.new("t-bad")
t.is(#orrery.hook_errors(), before + 1, "an init error is recorded")
t.raises(function() b:realize() end, "no realize today", "realize fails")
t.ok(not b.realized, "and the device stays unrealized")
b:release()
t.done()
