#!/bin/sh
# Command-line checks of `showcallerd --check`: exit codes, the plan table,
# the JSON form (read back with Node's JSON parser) and usage errors.
# Usage: tests/cli/run.sh DAEMON   (from the repository root)
daemon=${1:?usage: run.sh DAEMON}
passed=0
failed=0
n=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

ok() {
    n=$((n + 1))
    passed=$((passed + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    echo "#   exit $code; stdout:"
    sed 's/^/#     /' "$out" | head -20
    echo "#   stderr:"
    sed 's/^/#     /' "$err" | head -20
}
run() {
    "$daemon" "$@" >"$out" 2>"$err"
    code=$?
}
# expect NAME CODE [GREP-PATTERN-IN-STDOUT] [GREP-PATTERN-IN-STDERR]
expect() {
    name=$1 want=$2 pat_out=${3:-} pat_err=${4:-}
    if [ "$code" != "$want" ]; then not_ok "$name (want exit $want)"; return; fi
    if [ -n "$pat_out" ] && ! grep -q -- "$pat_out" "$out"; then not_ok "$name (stdout lacks $pat_out)"; return; fi
    if [ -n "$pat_err" ] && ! grep -q -- "$pat_err" "$err"; then not_ok "$name (stderr lacks $pat_err)"; return; fi
    ok "$name"
}
# json_expect NAME JS-EXPRESSION: the expression over `j` (stdout parsed) must be true.
json_expect() {
    if node -e '
        const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const holds = new Function("j", "return (" + process.argv[2] + ");");
        if (!holds(j)) { console.error("false: " + process.argv[2]); process.exit(1); }
    ' "$out" "$2" 2>>"$err"; then ok "$1"; else not_ok "$1"; fi
}

tmpdir=$(mktemp -d)
trap 'rm -f "$out" "$err"; rm -rf "$tmpdir"' EXIT

run --check config/evening-news.json --config config/demo.json
expect "demo show is valid and ends on time" 0 "Planned end 18:30:00 (0:00 against off air: on time)"
expect "demo show has a hard return at 18:15:00" 0 "18:15:00      18:15:00"
if [ -s "$err" ]; then not_ok "demo show has no warnings"; else ok "demo show has no warnings"; fi

run --check config/evening-news.json --config config/demo.json --json
expect "demo show as JSON exits 0" 0
json_expect "JSON: valid, config checked, no findings" \
    'j.valid === true && j.config_checked === true && j.errors.length === 0 && j.warnings.length === 0'
json_expect "JSON: 23 items and 100 cues" 'j.items.length === 23 && j.cue_count === 100'
json_expect "JSON: on air, off air and planned end" \
    'j.on_air === "18:00:00" && j.off_air === "18:30:00" && j.planned_end === "18:30:00" && j.off_air_delta_ms === 0'
json_expect "JSON: first item starts at on air, hard return item at 18:15:00" \
    'j.items[0].planned_start_ms === 18*3600e3 && j.items.find(i => i.start_rule === "time" && i.hard_start === "18:15:00")'
json_expect "JSON: planned starts chain item to item" \
    'j.items.every((it, k) => k === 0 || it.planned_start_ms === j.items[k-1].planned_start_ms + j.items[k-1].duration_ms)'
json_expect "JSON: latency moves the gfx cues 40 ms earlier" \
    'j.items.flatMap(i => i.cues).filter(c => c.target === "gfx").every(c => c.latency_ms === 40)'

run --check config/evening-news.json
expect "without --config the targets are not checked, and it says so" 0 "Planned end" "cue targets were not checked"

run --check tests/corpus/rundown/bad-time-forms.json --json
expect "invalid rundown as JSON exits 1" 1
json_expect "JSON: errors carry their paths" \
    'j.valid === false && j.errors.length > 10 && j.errors.some(e => e.path === "items[5].cues[0].at" && e.message.includes("needs a unit"))'

run --check tests/corpus/rundown/syntax-missing-comma.json --json
json_expect "JSON: syntax errors carry line and column" \
    'j.valid === false && j.errors[0].line === 4 && j.errors[0].column === 9'

cat >"$tmpdir/relative.json" <<'JSON'
{"format": "showcaller-rundown/1", "title": "Rehearsal", "items": [
  {"title": "One", "duration": "1:30"}, {"title": "Two", "start": "follow", "duration": "45s"}]}
JSON
run --check "$tmpdir/relative.json"
expect "a show without on_air is planned from its first GO" 0 "+1:30" "cue targets were not checked"
expect "items without ids get ids from their titles" 0 "two  *Two"

cat >"$tmpdir/midnight.json" <<'JSON'
{"format": "showcaller-rundown/1", "title": "Late show", "on_air": "23:55:00", "off_air": "00:10:00", "items": [
  {"id": "a", "title": "A", "duration": "10:00"}, {"id": "b", "title": "B", "start": "00:05:00", "duration": "5:00"}]}
JSON
run --check "$tmpdir/midnight.json" --json
json_expect "JSON: a hard start after midnight is the next day" \
    'j.items[1].planned_start_ms === 24*3600e3 + 5*60e3 && j.items[1].planned_start === "+1 00:05:00" && j.off_air_delta_ms === 0'

run
expect "no arguments is a usage error" 2 "" "usage:"
run --check
expect "--check without a file is a usage error" 2 "" "usage:"
run --check config/evening-news.json --frobnicate
expect "an unknown option is a usage error" 2 "" "unknown option"
run --help
expect "--help prints usage" 0 "usage:"
run --version
expect "--version prints the version" 0 "showcallerd "
run --check /nonexistent/show.json
expect "a missing file exits 1 with the reason" 1 "" "/nonexistent/show.json: cannot open: No such file or directory"
run --check tests
expect "a directory is refused" 1 "" "tests: not a regular file"

# --import and --export-csv: a spreadsheet and an Ontime project to a rundown, and back.
run --import config/sample-show.csv --config config/demo.json
expect "the sample CSV imports cleanly" 0 '"format": "showcaller-rundown/1"'
if [ -s "$err" ]; then not_ok "the sample CSV imports without findings"; else ok "the sample CSV imports without findings"; fi
cp "$out" "$tmpdir/sample.json"
run --check "$tmpdir/sample.json" --config config/demo.json
expect "the imported sample passes --check on the demo config" 0 "Planned end 07:15:00 (0:00 against off air: on time). 7 items, 22 cues, 4 targets."
expect "the imported sample keeps its follow and its hard start" 0 "07:08:00      07:08:00"
if [ -s "$err" ]; then not_ok "the imported sample has no warnings"; else ok "the imported sample has no warnings"; fi

printf 'title,Bad\nid,title,duration,cue 1 target,cue 1 message\na,One,2:6o,switcher,/atem/cut\nb,Two,1:00,swicher,/atem/cut\n' >"$tmpdir/bad.csv"
run --import "$tmpdir/bad.csv" --config config/demo.json
expect "a bad CSV exits 1" 1
expect "a bad duration is placed at its line and column" 1 "" "bad.csv:3:3: duration: \"2:6o\" is not a valid duration"
expect "an unknown target is placed at its line and column" 1 "" "bad.csv:4:4: unknown target \"swicher\""
if [ -s "$out" ]; then not_ok "a bad CSV prints no rundown"; else ok "a bad CSV prints no rundown"; fi

printf 'title;Semi\ntitle;duration;notes\nOne;1:00;a, b\n' >"$tmpdir/semi.txt"
run --import "$tmpdir/semi.txt"
expect "a file named neither .csv nor .json needs --format" 2 "" "cannot tell the format"
run --import "$tmpdir/semi.txt" --format csv
expect "--format csv reads it (a ';' separator)" 0 '"notes": "a, b"'

run --import config/ontime-sample.json
expect "the Ontime sample imports" 0 '"title": "Live Production Awards 2026"'
expect "Ontime findings are warnings at JSON paths" 0 "" "config/ontime-sample.json: rundowns.default.entries.e55d01: warning: delay of +5:00 not carried"
cp "$out" "$tmpdir/ontime.json"
run --check "$tmpdir/ontime.json"
expect "the imported Ontime project passes --check" 0 "6 items, 0 cues."

printf '{"rundown": [1,\n' >"$tmpdir/broken.json"
run --import "$tmpdir/broken.json" --format ontime
expect "a broken Ontime file exits 1 with its line" 1 "" "broken.json:2:"

run --export-csv config/evening-news.json
expect "the demo show exports as CSV" 0 "^id,title,start,duration,warn,critical,notes,script,cue 1 id"
cp "$out" "$tmpdir/demo.csv"
run --import "$tmpdir/demo.csv" --config config/demo.json
expect "the exported CSV imports back" 0
cp "$out" "$tmpdir/demo-back.json"
if node -e '
    const fs = require("fs");
    const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const b = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    process.exit(JSON.stringify(a) === JSON.stringify(b) ? 0 : 1);
' config/evening-news.json "$tmpdir/demo-back.json" 2>>"$err"; then
    ok "export-csv then import gives the demo show back, key for key"
else
    not_ok "export-csv then import gives the demo show back, key for key"
fi
run --check config/evening-news.json --config config/demo.json
cp "$out" "$tmpdir/check-a.txt"
run --check "$tmpdir/demo-back.json" --config config/demo.json
if diff "$tmpdir/check-a.txt" "$out" >/dev/null; then ok "the round trip's --check plan is the demo show's"; else not_ok "the round trip's --check plan is the demo show's"; fi
run --export-csv tests/corpus/rundown/bad-time-forms.json
expect "--export-csv of an invalid rundown exits 1" 1
run --import config/sample-show.csv --check config/evening-news.json
expect "--import and --check together is a usage error" 2 "" "separate modes"

echo "1..$n"
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
