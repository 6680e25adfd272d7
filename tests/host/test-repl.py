#!/usr/bin/env python3
"""The orrery REPL on a terminal: drives the real program through a
pseudo-terminal (values, multi-line chunks, Tab completion, Ctrl-C, help,
info, history, Ctrl-D). Prints TAP. Without libedit the plain reader is
tested, without completion and history. Output is matched after removing
terminal escapes and carriage returns, so the terminal's type and the
editor's redrawing do not matter; the window size is set (24x200) so that
no line wraps."""

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import tempfile
import termios
import time

from hosttap import Tap, clean_env, orrery_argv

TIMEOUT = 20  # seconds for any one expected output
ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78])")

t = Tap()
tmp = tempfile.TemporaryDirectory(prefix="orrery-repl-")
env = clean_env(tmp.name)
env["TERM"] = "vt100"
history = env["ORRERY_HISTORY"]


class Session:
    """The program on a pseudo-terminal; expect() consumes its output."""

    def __init__(self, *args):
        argv = orrery_argv(*args)
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", 24, 200, 0, 0))
                os.chdir(tmp.name)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.pending = ""  # output not consumed yet
        self.raw = b""  # all output, for diagnostics
        self.status = None

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError as e:  # EIO: the program closed the terminal
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            return None
        self.raw += data
        text = data.decode("utf-8", "replace")
        self.pending += ESCAPES.sub("", text).replace("\r", "").replace(
            "\x07", "")
        return True

    def expect(self, pattern, timeout=TIMEOUT):
        """Waits until PATTERN (a regex, multi-line) matches the output;
        returns the output up to the end of the match, or None."""
        regex = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            m = regex.search(self.pending)
            if m:
                seen = self.pending[:m.end()]
                self.pending = self.pending[m.end():]
                return seen
            left = end - time.monotonic()
            if left <= 0 or self._read(left) is None:
                return None

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait(self, timeout=TIMEOUT):
        """The exit status, or None (after killing it) on a timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, ws = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(ws)
                return self.status
            self._read(0.05)
        self.kill()
        return None

    def kill(self):
        if self.fd is None:
            return
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -signal.SIGKILL
        os.close(self.fd)
        self.fd = None


def expect_ok(s, pattern, name):
    seen = s.expect(pattern)
    t.ok(seen is not None, name,
         "no match for %r in:\n%s\nlast output: %r"
         % (pattern, s.pending, s.raw[-300:]))
    return seen or ""


def value(s, line, shown, name):
    """Sends LINE; expects SHOWN as a whole output line, then a prompt."""
    s.send(line + "\r")
    expect_ok(s, "^" + re.escape(shown) + "\n(.|\n)*> $", name)


def read_history():
    try:
        with open(history) as f:
            return f.read().replace("\\040", " ")
    except OSError as e:
        return "cannot read: %s" % e


EDIT = os.environ.get("ORRERY_HAVE_LIBEDIT") == "1"

with open(os.path.join(tmp.name, "defs.lua"), "w") as f:
    f.write("answer = 41\n")

s = Session("-i", "defs.lua")
expect_ok(s, r"help\(\) for help(.|\n)*> $", "the banner and a prompt")
value(s, "1 + 2", "3", "a bare expression prints its value")
value(s, "=6*7", "42", "=expr prints its value")
value(s, "=answer + 1", "42", "-i FILE ran the file first")
value(s, "{1, 'two', k = true, t = {}}", '{ 1, "two", k = true, t = {} }',
      "tables print one level deep")
value(s, "'a\\tb'", '"a\\tb"', "strings print quoted")

s.send("function tenfold(x)\r")
expect_ok(s, "^>> $", "an incomplete chunk asks for more")
s.send("return x * 10\r")
expect_ok(s, "^>> $", "... until it is complete")
s.send("end\r")
expect_ok(s, "^> $", "the complete chunk runs")
value(s, "tenfold(4.5)", "45", "the multi-line function works")

if EDIT:
    value(s, 'stri\t.len("abcdefg")', "7", "Tab completes a global")
    value(s, 'string.upp\t("abc")', '"ABC"',
          "Tab completes a field (a.b<Tab>)")
    value(s, 'io.stdout:setvb\t("line")', "true",
          "Tab completes a method (a:b<Tab>)")
    s.send("string.re\t")
    expect_ok(s, r"^rep +reverse\s*$", "Tab lists the candidates")
    value(s, "p('ab', 2)", '"abab"', "... and the line is kept")
    s.send("zz_no_such\t\r")
    expect_ok(s, "nil\n(.|\n)*> $", "Tab without candidates changes nothing")
    s.send("tab_m = orrery.machine('tabm')\r")
    expect_ok(s, "^> $", "a machine for completion")
    value(s, "tab_m:chi\t('sysmem').name", '"sysmem"',
          "Tab completes an object's methods")
    value(s, "orrery.resolve('/tab\t/sys\t').path", '"/tabm/sysmem"',
          "Tab completes object paths in strings")
    s.send("tab_m:unparent() tab_m:release() tab_m = nil\r")
    expect_ok(s, "^> $", "the machine goes")
else:
    t.skip("no Tab completion without libedit")

s.send("while true do end\r")
time.sleep(0.5)
s.send("\x03")
expect_ok(s, r"stdin:1: interrupted!(.|\n)*> $",
          "Ctrl-C interrupts a running loop, back to the prompt")
value(s, "=1234", "1234", "the REPL works after an interrupt")

s.send("garbage here")
s.send("\x03")
expect_ok(s, r"\^C\n> $", "Ctrl-C at the prompt discards the line")
s.send("=5678\r")
seen = s.expect(r"^5678\n(.|\n)*> $")
t.ok(seen is not None and "garbage" not in seen, "... and only that line",
     seen)

s.send("function half(\r")
expect_ok(s, "^>> $", "a second incomplete chunk")
s.send("\x03")
expect_ok(s, "\n> $", "Ctrl-C in a continuation goes back to the first prompt")
value(s, "=99", "99", "Ctrl-C in a continuation drops the whole chunk")

s.send("error('boom')\r")
expect_ok(s, r"^stdin:1: boom\nstack traceback:(.|\n)*> $",
          "errors print file:line and a traceback")
s.send("help()\r")
expect_ok(s, r"Ctrl-C +interrupt(.|\n)*> $", "help() prints the help")
s.send("help(string)\r")
expect_ok(s, r"^table with names:\n  byte, (.|\n)*> $",
          "help(value) lists names")
s.send("info qom-tree\r")
expect_ok(s, r"^/ \(container\)\n> $", "info qom-tree prints the tree")
s.send("im = orrery.machine('im') im.sysmem:add(0x1000, orrery.ram(im, 'r', 16))\r")
expect_ok(s, "^> $", "a machine to show")
s.send("info mtree -f\r")
expect_ok(s, r"^FlatView #0\n AS \"memory\", root: sysmem\n(.|\n)*"
          r"0000000000001000-000000000000100f \(prio 0, ram\): r\n(.|\n)*> $",
          "info mtree -f prints the flat view")
s.send("im:unparent() im:release() im = nil\r")
expect_ok(s, "^> $", "the machine goes")
s.send("info = 3\r")
expect_ok(s, "^> $", "a statement prints nothing")
value(s, "=info", "3", "a Lua line starting with 'info ' is Lua")

if EDIT:
    s.send("\x10\r")  # Ctrl-P: the previous line
    expect_ok(s, r"^3\n> $", "Ctrl-P recalls the previous line")
    hist = read_history()
    t.ok("=6*7" in hist and "return x * 10" in hist
         and "info qom-tree" in hist,
         "every line is written to $ORRERY_HISTORY", hist)
else:
    t.skip("no history without libedit")

s.send("\x04")
t.is_(s.wait(), 0, "Ctrl-D exits with status 0")
s.kill()

# A second session: the history comes back; os.exit sets the status.
s = Session()
expect_ok(s, "> $", "a second session starts")
if EDIT:
    s.send("\x10\r")
    expect_ok(s, r"=info\nnil\n> $", "the history persists across sessions")
s.send("os.exit(3)\r")
t.is_(s.wait(), 3, "os.exit(3) in the REPL exits with status 3")
s.kill()

# An unwritable history file is skipped silently.
env["ORRERY_HISTORY"] = os.path.join(tmp.name, "no", "such", "dir", "h")
s = Session()
expect_ok(s, "> $", "a session with an unwritable history file")
value(s, "=2+2", "4", "... works")
s.send("\x04")
t.is_(s.wait(), 0, "... and exits cleanly")
s.kill()

t.done()
