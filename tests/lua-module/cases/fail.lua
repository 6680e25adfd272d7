-- Failing assertions and their diagnostics; done() returns false.
local t = require("orrery.test")

local results = {
    t.ok(false, "ok false"),
    t.ok(nil),
    t.is(1, 2, "numbers differ"),
    t.is("a\n\t\"b\\\1", "a", "strings are quoted and escaped"),
    t.is(0.1 + 0.2, 0.3, "floats shown with all digits"),
    t.is(1, "1", "number vs string"),
    t.is(nil, false, "nil vs false"),
    t.is(2^53, 2^53 + 2, "large integral number"),
    t.like("hello", "^world", "like mismatch"),
    t.like(nil, "x", "like nil"),
    t.like(42, "4", "like number is not a string"),
    t.raises(function() error("boom", 0) end, "^bang", "raises mismatch"),
    t.raises(function() end, "boom", "raises nothing, pattern"),
    t.raises(function() return 1 end, nil, "raises nothing, any"),
    t.raises(function()
        error(setmetatable({}, { __tostring = function() return "E!" end }))
    end, "^F", "raises a table error"),
    t.raises(function() error() end, "x", "raises nil"),
}
local none = true
for i = 1, 16 do
    none = none and results[i] == false
end
t.ok(none, "every failed assertion returned false")
t.is(t.failed(), 16, "failed() counts them")
local passed, failed = t.summary()
t.is(passed, 2, "summary: passed")
t.is(failed, 16, "summary: failed")
os.exit(t.done() == false and 0 or 1)
