"""TAP output and the orrery command for the host tests.

The environment (set by meson.build) names the program: ORRERY (the
binary), ORRERY_VERSION, ORRERY_HAVE_LIBEDIT ("1" or "0"), ORRERY_LUA_DIR
(src/lua, which holds orrery/test.lua), and optionally ORRERY_TEST_WRAPPER,
a command line put in front of every run of the binary, e.g.
"valgrind -q --error-exitcode=99 --leak-check=full
--errors-for-leak-kinds=definite,indirect" (a valgrind error then shows as
exit status 99, which no test expects).
"""

import os
import shlex
import sys


class Tap:
    """Numbered TAP test lines; done() prints the plan and exits."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.count += 1
        name = name.replace("#", "(hash)")  # never a TAP directive
        print("%s %d - %s" % ("ok" if cond else "not ok", self.count, name))
        if not cond:
            self.failed += 1
            for line in str(diag or "").splitlines():
                print("#   " + line)
        sys.stdout.flush()
        return bool(cond)

    def is_(self, got, expected, name):
        return self.ok(got == expected, name,
                       "got:      %r\nexpected: %r" % (got, expected))

    def skip(self, reason):
        self.count += 1
        print("ok %d # SKIP %s" % (self.count, reason))

    def done(self):
        print("1..%d" % self.count)
        sys.exit(1 if self.failed else 0)


def orrery_argv(*args):
    """The command line that runs orrery with ARGS."""
    wrapper = shlex.split(os.environ.get("ORRERY_TEST_WRAPPER", ""))
    return wrapper + [os.environ["ORRERY"]] + list(args)


def clean_env(home):
    """The environment for a run: no Lua variables from the caller's shell,
    HOME (so ~/.editrc and ~/.orrery_history) in a scratch directory."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LUA_") and k != "EDITRC"}
    env["HOME"] = home
    env["ORRERY_HISTORY"] = os.path.join(home, "history")
    env["LC_ALL"] = "C"
    return env
