-- t.plan prints the plan first; done() then prints nothing more.
local t = require("orrery.test")

t.plan(3)
t.ok(true, "one")
t.is("two", "two", "two")
t.skip("three")
os.exit(t.done() == true and 0 or 1)
