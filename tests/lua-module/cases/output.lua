-- The writer can be replaced and restored; reset() starts afresh.
local t = require("orrery.test")

local lines = {}
local function capture(s)
    lines[#lines + 1] = s
end
local previous = t.output(capture)
t.ok(true, "captured")
t.is(1, 2, "captured failure")
t.diag("two\nlines")
t.ok(true, "a name over\ntwo lines")
t.done()
io.write("previous writer is a function: ", type(previous), "\n")
io.write("captured ", #lines, " lines\n")
-- One call per line, each ending in its only newline.
for _, s in ipairs(lines) do
    io.write(s:find("\n", 1, true) == #s and "> " or "BAD > ", s)
end
-- t.output() with nil goes back to stdout, and returns what it replaced.
io.write("returned capture: ", tostring(t.output(nil) == capture), "\n")
t.note("after done and restore")

t.reset()
io.write("after reset: ", table.concat({ t.summary() }, " "), "\n")
t.output(capture)
t.reset()  -- also restores the default writer
lines = {}
t.ok(true, "numbering starts at 1 again, on stdout")
io.write("captured after reset: ", #lines, "\n")
os.exit(t.done() and 0 or 1)
