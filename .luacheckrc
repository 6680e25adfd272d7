std = "luajit"
read_globals = { "orrery" }
