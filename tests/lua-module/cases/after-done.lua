-- After done(), every assertion, skip, plan and done is an error; diag,
-- note and the counters still work.
local t = require("orrery.test")

t.ok(true, "one")
t.done()

local function try(name, ...)
    local ok, err = pcall(t[name], ...)
    io.write(name, ": ", tostring(ok), ": ", tostring(err), "\n")
end
try("ok", true, "late")
try("is", 1, 1)
try("like", "a", "a")
try("raises", error, nil)
try("skip", "why")
try("plan", 1)
try("done")
try("done", 1)
t.diag("diag still works")
t.note("note too")
io.write("summary: ", table.concat({ t.summary() }, " "), "\n")
