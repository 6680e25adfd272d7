-- orrery.devkit: the small pieces every device module of the library
-- repeats, no type of its own.
--
--   local devkit = require("orrery.devkit")
--   local fail, need_state = devkit.errors("uart")
--   fail("receive: expected a string, got %s", type(s))
--       --> error "orrery: uart: receive: expected a string, got nil"
--   need_state(st, "receive")   -- in a method: st is nil once dropped
--   devkit.set_irq(self, st, level)           -- drives "irq" on a change
--   devkit.register{ name = M.TYPE, parent = "device", ... }
--   M.new = devkit.constructor(M.TYPE)
--   orrery.io(self, "regs", size, devkit.io_ops{ read = ..., write = ... })
--
-- Errors are raised at level 0: the message is exactly the text given,
-- with no position added.
local orrery = require("orrery")

local M = {}

-- devkit.errors(module) --> fail, need_state for the module named
-- @module (e.g. "uart").
--
-- fail(fmt, ...) raises "orrery: <module>: " .. fmt:format(...).
-- need_state(st, what) returns @st, or, when it is nil (a method called
-- after an unparented device's state was dropped), raises
-- "orrery: <module>: <what>: the device has no state any more (it was
-- unparented)".
function M.errors(module)
    local prefix = "orrery: " .. module .. ": "
    local function fail(fmt, ...)
        error(prefix .. fmt:format(...), 0)
    end
    local function need_state(st, what)
        if st == nil then
            fail("%s: the device has no state any more (it was unparented)",
                 what)
        end
        return st
    end
    return fail, need_state
end

-- devkit.set_irq(self, st, level [, line]): drives the gpio_out @line
-- (default "irq") of @self to @level (0 or 1), only when it differs from
-- the level last driven. That level is kept in st[line], which init sets
-- to the line's initial level (0).
function M.set_irq(self, st, level, line)
    line = line or "irq"
    if level ~= st[line] then
        st[line] = level
        self:set_gpio(line, level)
    end
end

-- devkit.register(spec): orrery.type(spec), unless a type spec.name is
-- already registered; requiring a module again is then harmless.
function M.register(spec)
    if not pcall(orrery.type_info, spec.name) then
        orrery.type(spec)
    end
end

-- devkit.io_ops(ops) --> ops for orrery.io whose read and write handlers
-- run only while the device has a state: once it is unparented (its
-- state dropped) while a region of it is still mapped, a read gives 0 and
-- a write does nothing. The other fields are passed on as they are.
function M.io_ops(ops)
    local out = {}
    for k, v in pairs(ops) do
        out[k] = v
    end
    local read, write = ops.read, ops.write
    if read then
        out.read = function(self, st, ...)
            if st == nil then
                return 0
            end
            return read(self, st, ...)
        end
    end
    if write then
        out.write = function(self, st, ...)
            if st ~= nil then
                write(self, st, ...)
            end
        end
    end
    return out
end

-- devkit.constructor(typename) --> a function(parent, name [, props])
-- that makes a new @typename device:
-- orrery.new(typename, { parent = parent, name = name, props = props }).
function M.constructor(typename)
    return function(parent, name, props)
        return orrery.new(typename,
                          { parent = parent, name = name, props = props })
    end
end

return M
