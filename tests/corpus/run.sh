#!/bin/sh
# The error corpus: every invalid (or warning-only) rundown and config under
# tests/corpus/ is paired with the exact output `showcallerd --check` must give.
#
#   tests/corpus/rundown/NAME.json   checked against tests/corpus/targets.json
#   tests/corpus/config/NAME.json    a config, checked with tests/corpus/show.json
#   NAME.expected                    first line "exit: N", then the exact stderr
#
# Usage: tests/corpus/run.sh DAEMON [--update]
# --update rewrites the .expected files from the daemon's output: only after
# reading every difference and agreeing with it.
# Run from the repository root: messages carry the paths as given.
daemon=${1:?usage: run.sh DAEMON [--update]}
update=${2:-}
passed=0
failed=0
n=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

check_case() {
    name=$1
    shift
    expected=${name%.json}.expected
    "$@" >/dev/null 2>"$tmp"
    code=$?
    actual=$(printf 'exit: %s\n' "$code"; cat "$tmp")
    n=$((n + 1))
    if [ "$update" = --update ]; then
        printf '%s\n' "$actual" >"$expected"
    fi
    if [ -f "$expected" ] && [ "$actual" = "$(cat "$expected")" ]; then
        passed=$((passed + 1))
        echo "ok $n - $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name"
        if [ -f "$expected" ]; then
            printf '%s\n' "$actual" | diff "$expected" - | sed 's/^/#   /'
        else
            echo "#   missing $expected"
        fi
    fi
}

for f in tests/corpus/rundown/*.json; do
    check_case "$f" "$daemon" --check "$f" --config tests/corpus/targets.json
done
for f in tests/corpus/config/*.json; do
    check_case "$f" "$daemon" --check tests/corpus/show.json --config "$f"
done
# A file that does not exist is a case of its own.
check_case tests/corpus/missing-file.json "$daemon" --check tests/corpus/no-such-file.json
echo "1..$n"
echo "corpus: $passed passed, $failed failed"
[ "$failed" = 0 ]
