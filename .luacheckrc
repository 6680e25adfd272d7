std = "luajit"
read_globals = { "orrery" }

-- Teardown tests drop references on purpose (x = nil, then a collection).
files["tests/lua"] = { ignore = { "311", "331" } }

-- Examples drop references on purpose too; explore.lua makes globals for
-- the REPL that follows it.
files["examples"] = { ignore = { "311", "331" } }
files["examples/explore.lua"] = { allow_defined_top = true, ignore = { "131" } }
