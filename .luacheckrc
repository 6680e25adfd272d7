std = "luajit"
read_globals = { "orrery" }

-- Teardown tests drop references on purpose (x = nil, then a collection).
files["tests/lua"] = { ignore = { "311", "331" } }
