-- No tests at all: 1..0.
local t = require("orrery.test")

os.exit(t.done() == true and 0 or 1)
