-- "#   at FILE:LINE" names the test script's line however t is called.
local t = require("orrery.test")

t.ok(false, "direct")
t.is(1,
     2, "spread over lines")
local function helper(v)
    return t.ok(v, "from a helper, not a tail call") == true
end
helper(false)
local function tail(v)
    return t.ok(v, "tail call")
end
tail(false)
pcall(t.ok, false, "through pcall")
local check = t.like
check(1, "x", "through a local alias")
t.raises(function()
    t.ok(false, "inside raises")
end, nil, "raises around a failing ok")
t.done()
