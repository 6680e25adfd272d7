#!/bin/sh
# Self-tests of orrery.test. Runs every cases/NAME.lua under a stock luajit
# and checks that its stdout is exactly cases/NAME.tap, its stderr empty and
# its exit status 0 (each case exits non-zero itself when t.done() returned
# the wrong thing). Reports in TAP, one test per case.
#
# Usage: run.sh [LUAJIT [LUA_DIR]]
#   LUAJIT   the interpreter (default: luajit on PATH)
#   LUA_DIR  holds orrery/test.lua (default: src/lua of this source tree)
#
# To accept a deliberate change of output, regenerate NAME.tap by running
# the case by hand from cases/ (the "#   at" lines name the file as given):
#   cd cases && LUA_PATH='../../../src/lua/?.lua' luajit NAME.lua >NAME.tap

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
luajit=${1:-luajit}
luadir=$(cd "${2:-$here/../../src/lua}" && pwd) || exit 1

if ! "$luajit" -e '' 2>/dev/null; then
    echo "Bail out! cannot run $luajit"
    exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

cd "$here/cases" || exit 1
set -- *.lua
echo "1..$#"

n=0
failed=0
for script in "$@"; do
    n=$((n + 1))
    name=${script%.lua}
    : >"$tmp/why"

    # Only our module on the path; no LUA_INIT from the caller's shell.
    env -u LUA_INIT LUA_PATH="$luadir/?.lua" \
        "$luajit" "$script" >"$tmp/out" 2>"$tmp/err"
    status=$?

    if [ ! -f "$name.tap" ]; then
        echo "no expected output $name.tap" >>"$tmp/why"
    elif ! cmp -s "$name.tap" "$tmp/out"; then
        echo "stdout differs from $name.tap:" >>"$tmp/why"
        diff -u "$name.tap" "$tmp/out" >>"$tmp/why"
    fi
    if [ -s "$tmp/err" ]; then
        echo "stderr is not empty:" >>"$tmp/why"
        cat "$tmp/err" >>"$tmp/why"
    fi
    if [ "$status" -ne 0 ]; then
        echo "exit status $status" >>"$tmp/why"
    fi

    if [ -s "$tmp/why" ]; then
        failed=$((failed + 1))
        echo "not ok $n - $name"
        sed 's/^/# /' "$tmp/why"
    else
        echo "ok $n - $name"
    fi
done

[ "$failed" -eq 0 ]
