-- done(n) with the right count prints 1..n and returns true.
local t = require("orrery.test")

t.ok(true, "one")
t.ok(true, "two")
os.exit(t.done(2) == true and 0 or 1)
