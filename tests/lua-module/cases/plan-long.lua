-- More tests than planned, one of them failing.
local t = require("orrery.test")

t.plan(1)
t.ok(true, "one")
t.ok(false, "two")
os.exit(t.done() == false and 0 or 1)
