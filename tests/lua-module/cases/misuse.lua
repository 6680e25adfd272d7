-- Misuse raises "orrery: t.NAME: ..." naming the caller's line; a failed
-- misuse leaves the counters alone.
local t = require("orrery.test")

local function try(name, ...)
    local ok, err = pcall(t[name], ...)
    io.write(name, ": ", tostring(ok), ": ", tostring(err), "\n")
end
try("plan", -1)
try("plan", 1.5)
try("plan", "3")
try("like", "abc", nil)
try("like", "abc", "[a")
try("like", "abc", "%")
try("raises", "not a function")
try("raises", function() error("x") end, 42)
try("raises", function() error("x") end, "(")
try("skip", "why", 0.5)
try("output", "not a function")
try("done", -1)
t.raises(setmetatable({}, { __call = function() error("callable") end }),
    "callable", "a callable table is a function")
try("plan", 2)
io.write("failed: ", t.failed(), "\n")
os.exit(t.done() and 0 or 1)
