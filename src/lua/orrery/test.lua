-- orrery.test: TAP output for Lua test scripts, after Perl's Test::More.
-- Pure Lua (LuaJIT 2.1 / Lua 5.1); needs nothing from the orrery binding.

--[[
Usage:

    local t = require("orrery.test")
    t.ok(x > 0, "x is positive")
    t.is(as:read64(0), 0x1234ULL, "read back")
    t.like(orrery.mtree(m), "ram", "mtree shows the RAM")
    t.raises(function() obj:set("nope", 1) end, "orrery:.*nope", "typo")
    t.done()

One state per process. `require` caches modules, so every file that
requires "orrery.test" gets the same table and the same counters. A host
that runs several files in one process (`orrery --test a.lua b.lua`) calls
`t.reset()` before each file; reset makes the module exactly as if freshly
loaded, the output writer included. Replacing package.loaded["orrery.test"]
would not do: a file or helper module that already holds `t` would keep
counting in the old state.

Output. Every line (test lines, the plan, diagnostics) goes, one complete
line at a time with its "\n", to a single writer: by default io.stdout,
flushed after each line so TAP interleaves correctly with anything else the
script prints. `t.output(fn)` swaps it so a host can capture or count.
Unlike Test::More, diag() does not go to stderr: one stream keeps order.

Misuse (an assertion after t.done(), a bad plan, a pattern that is not a
string, ...) raises a Lua error "orrery: t.NAME: what (at FILE:LINE)"; a
failed assertion never raises. "FILE:LINE" in errors and in the "#   at"
line of a failure is the nearest caller outside this file that is Lua code,
i.e. the test script's line even when called through pcall.
]]

local M = {}

-- Our own chunk name, to skip our frames when looking for the caller.
local MODULE_SOURCE = debug.getinfo(1, "S").source

local function default_writer(s)
    io.stdout:write(s)
    io.stdout:flush()
end

-- The per-file state; replaced as a whole by M.reset().
-- run: test lines printed; failed: of those, "not ok";
-- planned: the plan printed (nil until plan/done); done: t.done() seen.
local state

-- "FILE:LINE" of the nearest Lua frame outside this module, or nil.
local function caller_location()
    local level = 2
    while true do
        local info = debug.getinfo(level, "Sl")
        if not info then
            return nil
        end
        if info.source ~= MODULE_SOURCE and info.what ~= "C"
                and info.currentline > 0 then
            local file = info.source:match("^@(.*)") or info.short_src
            return file .. ":" .. info.currentline
        end
        level = level + 1
    end
end

-- Raise the misuse error for t.<fn>; never returns.
local function misuse(fn, what)
    local at = caller_location()
    error(("orrery: t.%s: %s%s"):format(fn, what,
        at and (" (at " .. at .. ")") or ""), 0)
end

-- Hand text to the writer one line at a time, each with its "\n".
local function emit(text)
    for line in (text .. "\n"):gmatch("(.-)\n") do
        state.writer(line .. "\n")
    end
end

-- Emit msg as comment lines, each starting with prefix ("# " or "#   ").
local function comment(prefix, msg)
    msg = tostring(msg):gsub("\n$", "")
    for line in (msg .. "\n"):gmatch("(.-)\n") do
        emit(line == "" and "#" or prefix .. line)
    end
end

local ESCAPES = {
    ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
    ['"'] = '\\"', ["\\"] = "\\\\",
}

-- A value as shown in diagnostics: strings quoted and escaped onto one
-- line, numbers with enough digits to tell them apart (0.1 + 0.2 is not
-- shown as 0.3), cdata and everything else through tostring (1ULL).
local function show(v)
    if type(v) == "string" then
        local body = v:gsub('[%c"\\]', function(c)
            return ESCAPES[c] or ("\\%03d"):format(c:byte())
        end)
        return '"' .. body .. '"'
    end
    if type(v) == "number" then
        local s = tostring(v)
        if v == v and tonumber(s) ~= v then
            s = ("%.17g"):format(v)
        end
        return s
    end
    local ok, s = pcall(tostring, v)
    return ok and s or "<" .. type(v) .. ": __tostring failed>"
end

-- Check that n, a count passed to t.<fn>, is a non-negative integer.
local function check_count(fn, n)
    if type(n) ~= "number" or n < 0 or n % 1 ~= 0 then
        misuse(fn, "expected a non-negative integer, got " .. show(n))
    end
end

-- Refuse to record anything once t.done() has run.
local function check_open(fn)
    if state.done then
        misuse(fn, "called after t.done()")
    end
end

-- Print one test line and, when it failed, "#   at" and the lines of diag
-- (a list of strings). Returns pass as a boolean.
local function report(pass, name, diag)
    state.run = state.run + 1
    local line = (pass and "ok " or "not ok ") .. state.run
    if name ~= nil then
        local escaped = tostring(name):gsub("#", "\\#"):gsub("\n", "\n# ")
        line = line .. " - " .. escaped
    end
    emit(line)
    if not pass then
        state.failed = state.failed + 1
        comment("#   ", "at " .. (caller_location() or "?"))
        for _, d in ipairs(diag or {}) do
            comment("#   ", d)
        end
    end
    return pass
end

-- t.ok(cond, name) --> boolean
-- Passes when cond is neither nil nor false.
function M.ok(cond, name)
    check_open("ok")
    return report(cond ~= nil and cond ~= false, name)
end

-- t.is(got, expected, name) --> boolean
-- Passes when got == expected. Uses Lua's ==, so 64-bit cdata compare with
-- numbers and with each other by value (1ULL == 1, -1LL == 2^64 - 1ULL),
-- tables by identity (or __eq), and NaN equals nothing. On failure shows
-- "got:" and "expected:" (strings quoted, the rest through tostring).
function M.is(got, expected, name)
    check_open("is")
    local ok, equal = pcall(function() return got == expected end)
    if ok and equal then
        return report(true, name)
    end
    local diag = { "got: " .. show(got), "expected: " .. show(expected) }
    if not ok then
        diag[3] = "comparing them raised: " .. tostring(equal)
    end
    return report(false, name, diag)
end

-- t.like(str, pattern, name) --> boolean
-- Passes when str is a string and string.find(str, pattern) matches (a Lua
-- pattern, unanchored; escape magic characters with %). Anything but a
-- string fails, numbers included. A malformed pattern is a misuse error.
function M.like(str, pattern, name)
    check_open("like")
    if type(pattern) ~= "string" then
        misuse("like", "pattern must be a string, got " .. show(pattern))
    end
    if type(str) ~= "string" then
        local got = show(str)
        if str ~= nil then
            got = got .. " (" .. type(str) .. ")"
        end
        return report(false, name,
            { "got: " .. got, "expected: a string matching " .. show(pattern) })
    end
    local ok, found = pcall(string.find, str, pattern)
    if not ok then
        misuse("like", "bad pattern " .. show(pattern) .. ": " .. found)
    end
    return report(found ~= nil, name,
        { "got: " .. show(str), "does not match: " .. show(pattern) })
end

local function is_callable(fn)
    if type(fn) == "function" then
        return true
    end
    local mt = getmetatable(fn)
    return type(mt) == "table" and mt.__call ~= nil
end

-- t.raises(fn, pattern, name) --> boolean
-- Calls fn() under pcall. Passes when it raised an error whose message,
-- tostring(err), matches the Lua pattern (unanchored, like t.like); with
-- pattern nil any error passes. Error messages raised with error("...")
-- carry a "file:line: " prefix, so anchor with care. On failure shows the
-- message, or says that fn did not raise.
function M.raises(fn, pattern, name)
    check_open("raises")
    if not is_callable(fn) then
        misuse("raises", "expected a function, got " .. show(fn))
    end
    if pattern ~= nil and type(pattern) ~= "string" then
        misuse("raises", "pattern must be a string, got " .. show(pattern))
    end
    local ok, err = pcall(fn)
    if ok then
        local diag = { "did not raise" }
        if pattern then
            diag[2] = "expected: an error matching " .. show(pattern)
        end
        return report(false, name, diag)
    end
    if pattern == nil then
        return report(true, name)
    end
    local pok, found = pcall(string.find, tostring(err), pattern)
    if not pok then
        misuse("raises", "bad pattern " .. show(pattern) .. ": " .. found)
    end
    return report(found ~= nil, name,
        { "error: " .. show(err), "does not match: " .. show(pattern) })
end

-- t.skip(reason [, count]) --> true
-- Records count (default 1) skipped tests: "ok N # skip reason". They
-- count as passed. Use it in place of the assertions that cannot run.
function M.skip(reason, count)
    check_open("skip")
    count = count == nil and 1 or count
    check_count("skip", count)
    local line = " # skip"
    if reason ~= nil then
        line = line .. " " .. tostring(reason):gsub("\n", " ")
    end
    for _ = 1, count do
        state.run = state.run + 1
        emit("ok " .. state.run .. line)
    end
    return true
end

-- t.plan(n)
-- Declares up front that n tests will run and prints "1..n". Must come
-- before any test and at most once; t.done() then checks the count.
function M.plan(n)
    check_open("plan")
    check_count("plan", n)
    if state.planned then
        misuse("plan", "the plan was already declared")
    end
    if state.run > 0 then
        misuse("plan", "called after tests ran; use t.done(n) at the end")
    end
    state.planned = n
    emit("1.." .. n)
end

-- t.done([n]) --> boolean
-- Ends the file's tests (Test::More's done_testing). Prints the plan
-- "1..N" unless t.plan printed one; N is n when given, else the number of
-- tests run, so a TAP reader sees a count mismatch too. Returns true when
-- every test passed and the count matches n (or t.plan's). Any assertion,
-- skip, plan or done after this raises an error until t.reset().
function M.done(n)
    check_open("done")
    if n ~= nil then
        check_count("done", n)
        if state.planned and n ~= state.planned then
            misuse("done", ("expects %d tests but t.plan declared %d")
                :format(n, state.planned))
        end
    end
    if not state.planned then
        state.planned = n or state.run
        emit("1.." .. state.planned)
    end
    state.done = true
    if state.run ~= state.planned then
        comment("# ", ("Looks like you planned %d test%s but ran %d.")
            :format(state.planned, state.planned == 1 and "" or "s",
                    state.run))
    end
    if state.failed > 0 then
        comment("# ", ("Looks like you failed %d test%s of %d.")
            :format(state.failed, state.failed == 1 and "" or "s",
                    state.run))
    end
    return state.failed == 0 and state.run == state.planned
end

-- t.diag(msg)
-- Prints msg (through tostring) as TAP comment lines "# ...", one per line
-- of msg. For things a reader should see, e.g. why a test failed.
function M.diag(msg)
    comment("# ", msg)
end

-- t.note(msg)
-- Same output as t.diag; for progress and information rather than
-- problems. Allowed before and after t.done().
function M.note(msg)
    comment("# ", msg)
end

-- t.failed() --> number of tests failed so far.
function M.failed()
    return state.failed
end

-- t.summary() --> passed, failed
-- Counts of test lines so far; skipped tests count as passed.
function M.summary()
    return state.run - state.failed, state.failed
end

-- t.output([fn]) --> the previous writer
-- Sends all further output to fn(s), called once per line with s ending
-- in "\n". fn nil restores the default (io.stdout, flushed per line).
function M.output(fn)
    if fn ~= nil and not is_callable(fn) then
        misuse("output", "expected a function or nil, got " .. show(fn))
    end
    local previous = state.writer
    state.writer = fn or default_writer
    return previous
end

-- t.reset()
-- Forgets everything: counters, plan, done and the writer, exactly as if
-- the module were loaded afresh. A host calls it before each test file.
function M.reset()
    state = {
        run = 0,
        failed = 0,
        planned = nil,
        done = false,
        writer = default_writer,
    }
end

M.reset()

return M
