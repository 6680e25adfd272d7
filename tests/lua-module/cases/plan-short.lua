-- Fewer tests than planned: done() says so and returns false.
local t = require("orrery.test")

t.plan(3)
t.ok(true, "one")
t.ok(true, "two")
os.exit(t.done() == false and 0 or 1)
