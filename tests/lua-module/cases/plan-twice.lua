-- The plan can be declared once; done(n) must agree with it.
local t = require("orrery.test")

t.plan(2)
local ok, err = pcall(t.plan, 2)
io.write(tostring(ok), ": ", err, "\n")
t.ok(true)
t.ok(true)
ok, err = pcall(t.done, 3)
io.write(tostring(ok), ": ", err, "\n")
os.exit(t.done(2) and 0 or 1)
