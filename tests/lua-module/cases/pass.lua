-- Passing assertions of every kind, done() without a plan.
local t = require("orrery.test")

local results = {
    t.ok(true, "ok with a name"),
    t.ok(0),
    t.ok("", "empty string is true"),
    t.is(1 + 1, 2, "numbers"),
    t.is("abc", "abc", "strings"),
    t.is(nil, nil, "nil is nil"),
    t.is(false, false, "false is false"),
    t.like("hello world", "^hello %a+$", "like anchored"),
    t.like("a.b", "%.", "like escaped magic"),
    t.raises(function() error("boom") end, "boom", "raises matching"),
    t.raises(function() error("x") end, nil, "raises any error"),
    t.raises(function() error({}) end),
    t.skip("no network"),
    t.skip("three at once", 3),
}
t.ok(true, "name with # hash")
t.ok(true, "two\nlines")
t.skip()
t.diag("a diagnostic")
t.note("a note\nover two lines\n")
t.note("")

local all = true
for i = 1, 14 do
    all = all and results[i] == true
end
t.ok(all, "every assertion returned true")
t.is(t.failed(), 0, "failed() is 0")
local passed, failed = t.summary()
t.is(passed, 21, "summary: passed")
t.is(failed, 0, "summary: failed")
os.exit(t.done() == true and 0 or 1)
