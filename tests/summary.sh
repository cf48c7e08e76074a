#!/bin/sh
# Adds up the "NAME: N passed, N failed" lines of test result files and prints
# one total line in the same form (the line CI reads). Exits 1 if any failed
# or if no result was found.
passed=0
failed=0
found=0
for f in "$@"; do
    [ -f "$f" ] || continue
    line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' "$f" | tail -n 1)
    if [ -z "$line" ]; then
        echo "summary: $f has no result line (the runner crashed?)"
        failed=$((failed + 1))
        continue
    fi
    echo "  $line"
    p=$(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    q=$(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    passed=$((passed + p))
    failed=$((failed + q))
    found=1
done
[ "$found" = 1 ] || failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
