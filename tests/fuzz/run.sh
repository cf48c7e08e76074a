#!/bin/sh
# Runs one libFuzzer target for a while and reports it in the test-runner form.
#
#   tests/fuzz/run.sh BIN SECONDS      e.g. tests/fuzz/run.sh build/fuzz/fuzz_rundown 60
#
# The target is BIN's file name: fuzz_rundown, fuzz_config, fuzz_timefmt,
# fuzz_command (the command table's decoders), fuzz_osc (whole OSC
# datagrams through daemon/doors/osc_decode.c, as the OSC door receives them)
# or fuzz_import (CSV and Ontime files through daemon/convert/'s importers).
# Paths below are relative to the repository root, where the script cds.
#
# 1. Regression: the error corpus that matches the target
#    (tests/corpus/rundown/*.json for fuzz_rundown, tests/corpus/config/*.json
#    for fuzz_config) runs through BIN once, when that directory exists.
# 2. Fuzzing: BIN runs for SECONDS on build/fuzz/corpus/TARGET/, a working
#    corpus seeded from tests/fuzz/corpus/TARGET/ on every run; what the fuzzer
#    finds stays there for the next run. One process (no -jobs/-workers): the
#    build machine has two cores. The dictionary is tests/fuzz/TARGET.dict.
#
# A crash, leak, timeout (-timeout=10) or memory blow-up (-rss_limit_mb=2048)
# leaves its input in build/fuzz/TARGET-crash-* (or -leak-, -timeout-, -oom-);
# replay it with `BIN FILE`. libFuzzer's full output is in
# build/fuzz/TARGET.log (fuzzing) and build/fuzz/TARGET-regression.log.
#
# The last two lines of output are always
#   TARGET: N execs in S s (cov: C ft: F corp: K/SIZE; M files in build/fuzz/corpus/TARGET)
#   TARGET: 1 passed, 0 failed         (or 0 passed, 1 failed; exit status 1)
# and tests/summary.sh adds up the last one.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN SECONDS" >&2
    exit 2
fi
case $2 in
'' | *[!0-9]*)
    echo "$0: SECONDS must be a whole number, not '$2'" >&2
    exit 2
    ;;
esac

# Resolve BIN before moving to the repository root.
case $1 in
/*) bin=$1 ;;
*) bin=$(pwd)/$1 ;;
esac
seconds=$2
target=$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$root" || exit 2

finish() { # passed(0|1) execs seconds extra
    echo "$target: $2 execs in $3 s$4"
    if [ "$1" = 1 ]; then
        echo "$target: 1 passed, 0 failed"
        exit 0
    fi
    echo "$target: 0 passed, 1 failed"
    exit 1
}

if [ ! -x "$bin" ]; then
    echo "$target: $bin is not built (make build/fuzz/$target)"
    finish 0 0 0 ""
fi

mkdir -p build/fuzz
artifacts=build/fuzz/$target-
flags="-timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=$artifacts"

# Prints what libFuzzer said about a failure: the sanitizer report or the
# timeout, and where it saved the input.
report() { # log
    grep -E '^==[0-9]+==|^ALARM|^SUMMARY|^artifact_prefix|^Test unit written|^ +#[0-9]+ |deadly signal|[Ll]eak|^Running:' "$1" |
        grep -v -E 'fuzzer::|__sanitizer_print_stack_trace|__libc_start|in _start |libc\.so' |
        head -n 60
}

# 1. Regression inputs.
case $target in
fuzz_rundown) regress_dir=tests/corpus/rundown ;;
fuzz_config) regress_dir=tests/corpus/config ;;
*) regress_dir= ;;
esac
if [ -n "$regress_dir" ] && [ -d "$regress_dir" ]; then
    set -- "$regress_dir"/*.json
    if [ -e "$1" ]; then
        log=build/fuzz/$target-regression.log
        # shellcheck disable=SC2086 # $flags is a list of words
        if "$bin" $flags "$@" > "$log" 2>&1; then
            echo "$target: $# regression inputs from $regress_dir ran clean"
        else
            echo "$target: a regression input from $regress_dir failed:"
            report "$log"
            finish 0 "$#" 0 " (regression inputs; not fuzzed)"
        fi
    fi
fi

# 2. Fuzzing on the working corpus, seeded afresh.
work=build/fuzz/corpus/$target
mkdir -p "$work"
if [ -d "tests/fuzz/corpus/$target" ]; then
    cp -p "tests/fuzz/corpus/$target"/* "$work"/ 2> /dev/null || true
fi
dict=
[ -f "tests/fuzz/$target.dict" ] && dict=-dict=tests/fuzz/$target.dict

log=build/fuzz/$target.log
start=$(date +%s)
# shellcheck disable=SC2086 # $flags is a list of words
"$bin" $flags $dict -max_total_time="$seconds" -print_final_stats=1 "$work" > "$log" 2>&1
status=$?
elapsed=$(($(date +%s) - start))

# "Done 123456 runs in 61 second(s)" when it ran its time out.
done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
# The last status line, e.g. "#123456 DONE cov: 812 ft: 2841 corp: 301/40Kb ...".
status_line=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1)
cov=$(echo "$status_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$status_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(echo "$status_line" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
files=$(find "$work" -type f | wc -l | tr -d ' ')
extra=" (cov: ${cov:-?} ft: ${ft:-?} corp: ${corp:-?}; $files files in $work)"

if [ -n "$done_line" ]; then
    execs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
    secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
else
    execs=$(echo "$status_line" | sed -n 's/^#\([0-9]*\).*/\1/p')
    secs=$elapsed
fi

if [ "$status" -eq 0 ] && [ -n "$done_line" ]; then
    echo "$status_line"
    finish 1 "${execs:-0}" "$secs" "$extra"
fi
echo "$target: libFuzzer stopped with status $status after ${elapsed}s:"
report "$log"
finish 0 "${execs:-0}" "$secs" "$extra"
