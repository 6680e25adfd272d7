#!/usr/bin/env python3
"""The orrery command line: options, scripts and their arguments, errors,
exit statuses, --test, stdin, and the REPL on plain (non-terminal) input.
Prints TAP."""

import os
import re
import subprocess
import tempfile

from hosttap import Tap, clean_env, orrery_argv

t = Tap()
tmp = tempfile.TemporaryDirectory(prefix="orrery-cli-")
env = clean_env(tmp.name)


def write(name, text):
    path = os.path.join(tmp.name, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return name


def run(*args, stdin="", extra_env=None):
    e = dict(env, **(extra_env or {}))
    return subprocess.run(orrery_argv(*args), input=stdin, env=e,
                          cwd=tmp.name, capture_output=True, text=True,
                          timeout=120)


def check(p, status, name, out=None, err=None):
    """One test: exit status, then stdout equal to OUT and stderr matching
    the regex ERR, when given."""
    why = []
    if p.returncode != status:
        why.append("exit status %d, expected %d" % (p.returncode, status))
    if out is not None and p.stdout != out:
        why.append("stdout %r, expected %r" % (p.stdout, out))
    if err is not None and not re.search(err, p.stderr, re.M):
        why.append("stderr does not match %r" % err)
    if why:
        why.append("stdout: " + p.stdout)
        why.append("stderr: " + p.stderr)
    t.ok(not why, name, "\n".join(why))


# --- Options ---------------------------------------------------------------

p = run("--version")
check(p, 0, "--version", out="orrery %s\n" % os.environ["ORRERY_VERSION"])

p = run("--help")
check(p, 0, "--help prints the usage", err="^$")
t.ok(p.stdout.startswith("Usage: orrery") and "--leak-check" in p.stdout,
     "--help lists the options", p.stdout)

check(run("--bogus"), 2, "an unknown option is a usage error",
      out="", err=r"^orrery: unknown option '--bogus'")
check(run("-x", "file.lua"), 2, "an unknown short option too",
      err="unknown option '-x'")
check(run("-e"), 2, "-e without its argument", err="'-e' needs an argument")
check(run("--leak-check=maybe", "-e", ""), 2, "a bad --leak-check mode",
      err="off, warn or fatal")
check(run("--test"), 2, "--test without files", err="at least one FILE")
check(run("-i", "--test", "x.lua"), 2, "--test with -i",
      err="cannot be combined")
for mode in ("off", "warn", "fatal"):
    check(run("--leak-check=" + mode, "-e", "print('ran')"), 0,
          "--leak-check=%s is accepted" % mode, out="ran\n", err="^$")

# --- -e and scripts --------------------------------------------------------

check(run("-e", "io.write('a')", "-e", "io.write('b')", "-e", "print('c')"),
      0, "-e chunks run in order", out="abc\n", err="^$")

write("args.lua", "print(arg[0], arg[1], arg[2], #arg, select('#', ...), ...)\n"
      "print(arg[-1], arg[-2] ~= nil)\n")
check(run("-e", "x = 1", "args.lua", "one", "-e"), 0,
      "FILE gets ARGS in arg and in ..., options at negative indices",
      out="args.lua\tone\t-e\t2\t2\tone\t-e\nx = 1\ttrue\n")
check(run("--", "args.lua"), 0, "-- ends the options",
      out="args.lua\tnil\tnil\t0\t0\n--\ttrue\n")

write("boom.lua", "local x = 1\nerror('boom')\n")
check(run("boom.lua"), 1, "a script error exits 1",
      out="", err=r"^boom\.lua:2: boom$")
check(run("boom.lua"), 1, "a script error prints a traceback",
      err=r"^stack traceback:\n(.|\n)*boom\.lua:2: in main chunk")

write("boom-table.lua", "error(setmetatable({}, {__tostring = function()"
      " return 'custom' end}))\n")
check(run("boom-table.lua"), 1, "an error object goes through __tostring",
      err="^custom$")
check(run("-e", "error({})"), 1, "any other error object is named",
      err=r"^\(error object is a table value\)$")

write("syntax.lua", "x = 1\nlocal = 2\n")
check(run("syntax.lua"), 1, "a syntax error exits 1 with file:line",
      out="", err=r"^syntax\.lua:2: .*near '='")
check(run("missing.lua"), 1, "a missing file exits 1",
      err="cannot open missing.lua")
check(run("-e", "print('before')", "-e", "nil()", "-e", "print('after')"), 1,
      "an -e error stops the run", out="before\n",
      err=r"^\(command line\):1:")

check(run("-e", "os.exit(7)"), 7, "os.exit(n) sets the exit status")
check(run("-e", "os.exit(false)"), 1, "os.exit(false) exits 1")
check(run("-e", "os.exit(true)", "-e", "print('no')"), 0,
      "os.exit(true) exits 0 and ends the run", out="")
check(run("-e", "pcall(os.exit, 3) print('caught')"), 3,
      "os.exit caught by pcall still ends the run at the chunk's end",
      out="caught\n")

# --- stdin -----------------------------------------------------------------

check(run(stdin="print('from stdin')\n"), 0,
      "with no arguments and stdin not a terminal, stdin is the script",
      out="from stdin\n")
check(run("-", "x", stdin="print(arg[0], ...)\n"), 0, "FILE '-' is stdin",
      out="-\tx\n")
check(run(stdin="error('e')\n"), 1, "errors in stdin name it",
      err="^stdin:1: e$")

# --- The REPL on plain input -----------------------------------------------

p = run("-i", stdin="1 + 1\n=2 * 3\nx = 5\nfunction f(a)\nreturn a * x\nend\n"
        "f(4)\n{1, 'two', k = true}\ninfo mtree -f\nerror('oops')\n"
        "=nil, false\n")
check(p, 0, "the REPL reads plain lines", err="^stdin:1: oops$",
      out="2\n6\n20\n{ 1, \"two\", k = true }\n(no address spaces)\n"
      "nil\tfalse\n")
check(run("-i", stdin="{1,\n2}\n=(3 +\n4)\nx = 1 +\n2\n=x\n"), 0,
      "expressions and statements continue over lines",
      out="{ 1, 2 }\n7\n3\n", err="^$")
check(run("-i", stdin="=1\nos.exit(4)\n=2\n"), 4, "os.exit in the REPL",
      out="1\n")
check(run("-i", stdin="function g()\n"), 0,
      "an incomplete chunk at the end of input is reported",
      err="'end' expected")
write("defs.lua", "answer = 41\n")
check(run("-i", "defs.lua", stdin="=answer + 1\n"), 0,
      "-i FILE runs the file, then the REPL", out="42\n")
check(run("-i", "boom.lua", stdin="=2\n"), 0,
      "-i enters the REPL even after an error", out="2\n", err="boom")
check(run("-i", stdin="=(jit.status())\n"), 0, "the REPL turns the JIT off",
      out="false\n")

# --- The module "orrery" ---------------------------------------------------

# The binding is built into the host: the global orrery is always there,
# and a module of the same name on package.path does not replace it.
probe = "print(type(orrery), orrery.root.path)"
check(run("-e", probe), 0, "the built-in module is the global orrery",
      out="table\t/\n")
write("mod/orrery.lua", "return { name = 'found' }\n")
check(run("-e", probe, extra_env={"LUA_PATH": "mod/?.lua"}), 0,
      "a module on package.path does not replace the built-in one",
      out="table\t/\n")
check(run("-e", "local t = require('orrery.test') t.ok(true) t.done()",
          extra_env={"LUA_PATH": ""}), 0,
      "orrery.test is built in too", out="ok 1\n1..1\n")
check(run("-e", "x = orrery.ram(nil, 'free', 16)"), 0,
      "a leak is reported at exit (warn)",
      err="objects still alive at exit:(.|\n)*memory-region")
check(run("--leak-check=fatal", "-e", "x = orrery.ram(nil, 'free', 16)"), 1,
      "a leak fails the run with --leak-check=fatal", err="error: objects")
check(run("-e", "orrery.type{name='selfish', init=function(self, st) "
          "st.self = self end} orrery.new('selfish')"), 0,
      "the leak report names the Lua path holding a survivor",
      err="held from Lua by selfish.state.self(.|\n)*1 of them were freed")
check(run("-e", "g = orrery.machine('m')"), 0,
      "a global holding a machine is named",
      err="machine /m is held from Lua by _G.g")
check(run("-e", "local m = orrery.machine('m')"), 0,
      "what a script leaves in the tree is torn down at exit", err="^$")

# --- --test ----------------------------------------------------------------

write("pass.lua", "print('1..2')\nio.write('ok 1 - one\\n')\n"
      "io.stdout:write('ok 2', ' - two\\n')\n")
write("fail.lua", "print('1..2')\nprint('ok 1')\n"
      "io.write('not ok 2 - bad\\n')\n")
write("todo.lua", "print('1..1')\nprint('not ok 1 - later # TODO not yet')\n")
write("short.lua", "print('1..3')\nprint('ok 1')\n")
write("noplan.lua", "print('ok 1')\n")
write("bail.lua", "print('Bail out! no device')\n")
write("quiet.lua", "local x = 1\n")
write("exit0.lua", "print('1..1')\nprint('not ok 1')\nos.exit(0)\n")
write("exit3.lua", "print('1..1')\nprint('ok 1')\nos.exit(3)\n")
write("types.lua", "assert(not defined_by_other_file)\n"
      "defined_by_other_file = true\n")

check(run("--test", "pass.lua"), 0, "--test: passing TAP exits 0",
      out="1..2\nok 1 - one\nok 2 - two\n", err="^$")
check(run("--test", "fail.lua"), 1, "--test: a 'not ok' line exits 1",
      out="1..2\nok 1\nnot ok 2 - bad\n", err=r"fail\.lua: TAP: 1 of 2")
check(run("--test", "todo.lua"), 0, "--test: a TODO test that fails passes")
check(run("--test", "short.lua"), 1, "--test: fewer tests than planned",
      err="planned 3 tests but ran 1")
check(run("--test", "noplan.lua"), 1, "--test: tests without a plan",
      err="no plan")
check(run("--test", "bail.lua"), 1, "--test: Bail out!", err="bailed out")
check(run("--test", "quiet.lua"), 0, "--test: a file without TAP passes")
check(run("--test", "boom.lua"), 1, "--test: an error fails the file",
      err=r"boom\.lua:2: boom")
check(run("--test", "exit0.lua"), 1,
      "--test: os.exit(0) does not hide a failed test")
check(run("--test", "exit3.lua"), 1, "--test: os.exit(3) fails the file",
      err=r"exit3\.lua: os\.exit\(3\)")
check(run("--test", "fail.lua", "pass.lua"), 1,
      "--test runs every file and fails if one failed",
      out="1..2\nok 1\nnot ok 2 - bad\n1..2\nok 1 - one\nok 2 - two\n")
check(run("--test", "types.lua", "types.lua"), 0,
      "--test runs each file in a fresh process")
check(run("-e", "print('# setup')", "--test", "pass.lua"), 0,
      "--test runs the -e chunks before each file",
      out="# setup\n1..2\nok 1 - one\nok 2 - two\n")
write("arg.lua", "print('# ' .. arg[0] .. ' ' .. tostring(arg[1]))\n")
check(run("--test", "arg.lua", "quiet.lua"), 0,
      "--test: arg[0] is the file, and the other files are not arguments",
      out="# arg.lua nil\n")

# With orrery.test, the TAP module in src/lua (ORRERY_LUA_DIR).
lua_dir = os.environ.get("ORRERY_LUA_DIR", "")
if os.path.exists(os.path.join(lua_dir, "orrery", "test.lua")):
    lua_path = {"LUA_PATH": os.path.join(lua_dir, "?.lua")}
    write("t-pass.lua", "local t = require('orrery.test')\n"
          "t.ok(true, 'fine')\nt.is(1 + 1, 2, 'sum')\nt.done()\n")
    write("t-fail.lua", "local t = require('orrery.test')\n"
          "t.ok(true, 'fine')\nt.is(1 + 1, 3, 'sum')\nt.done()\n")
    write("t-count.lua", "local t = require('orrery.test')\n"
          "t.ok(true, 'fine')\nt.done(2)\n")
    check(run("--test", "t-pass.lua", extra_env=lua_path), 0,
          "--test with orrery.test: a passing file",
          out="ok 1 - fine\nok 2 - sum\n1..2\n", err="^$")
    check(run("--test", "t-fail.lua", extra_env=lua_path), 1,
          "--test with orrery.test: a failed assertion",
          err=r"t-fail\.lua: TAP: 1 of 2 tests failed")
    check(run("--test", "t-count.lua", extra_env=lua_path), 1,
          "--test with orrery.test: a wrong count",
          err="planned 2 tests but ran 1")
else:
    t.skip("no orrery/test.lua in ORRERY_LUA_DIR")

t.done()
