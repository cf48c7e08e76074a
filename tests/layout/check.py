#!/usr/bin/env python3
"""The house's rules, checked on the source tree (run from the repository root):

1. No include circle between the daemon's and the library's files.
2. Dependencies run one way, folder by folder:
       daemon/ (the process) -> doors -> show -> targets, journal -> clock -> rundown/
       daemon/ -> convert (pure document conversions: CSV, Ontime, diffs) -> rundown/
   a file includes headers of its own folder or of a folder below it; log.h
   (the process's log) is everyone's.
3. rundown/ is pure: it includes nothing of the daemon's, no libuv,
   libwebsockets or liblo, no sockets, and reads no clock and opens no file.

Prints TAP and a last line "layout: N passed, N failed"; exits 1 on a failure.
Usage: tests/layout/check.py [ROOT]
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."

# What each folder may include besides itself. "rundown" is the pure library.
ALLOWED = {
    "rundown": set(),
    "clock": {"rundown"},
    "targets": {"clock", "rundown"},
    "journal": {"clock", "rundown"},
    "convert": {"rundown"},
    "show": {"targets", "journal", "clock", "rundown"},
    "doors": {"show", "targets", "journal", "clock", "rundown"},
    "daemon": {"doors", "show", "targets", "journal", "convert", "clock", "rundown"},
}
EVERYONES = {"daemon/log.h"}  # the process's log: a leaf every layer writes to

# Not in the pure library.
IMPURE_INCLUDES = {"uv.h", "libwebsockets.h", "lo/lo.h", "sys/socket.h", "netdb.h", "pthread.h",
                   "fcntl.h", "unistd.h"}
IMPURE_CALLS = re.compile(r"\b(clock_gettime|gettimeofday|time|fopen|open|socket|getaddrinfo)\s*\(")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def sources():
    out = []
    for base in ("daemon", "rundown"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    return sorted(out)


def folder(path):
    """rundown, daemon (the process's own files), or daemon's subfolder."""
    parts = path.split(os.sep)
    if parts[0] == "rundown":
        return "rundown"
    return parts[1] if len(parts) > 2 else "daemon"


def resolve(src, name):
    """Where a quoted include lands: the including file's folder, then -Idaemon, then -Irundown."""
    for d in (os.path.dirname(src), "daemon", "rundown"):
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(ROOT, p)):
            return p
    return None


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


files = sources()
graph = {}
system = {}
for f in files:
    text = open(os.path.join(ROOT, f), encoding="utf-8").read()
    graph[f] = []
    system[f] = []
    for kind, name in INCLUDE.findall(text):
        if kind == "<":
            system[f].append(name)
            continue
        target = resolve(f, name)
        if target:
            graph[f].append(target)

results = []


def report(ok, name, details):
    results.append((ok, name, details))


# 1. Include circles (depth-first search; every circle is reported once).
circles = []
state = {}
stack = []


def visit(f):
    state[f] = "open"
    stack.append(f)
    for g in graph.get(f, []):
        if state.get(g) == "open":
            circle = stack[stack.index(g):] + [g]
            circles.append(" -> ".join(circle))
        elif g not in state:
            visit(g)
    stack.pop()
    state[f] = "done"


for f in files:
    if f not in state:
        visit(f)
report(not circles, "no include circle among %d files" % len(files), circles)

# 2. Layers.
wrong = []
for f in files:
    mine = folder(f)
    for g in graph[f]:
        theirs = folder(g)
        if theirs == mine or theirs in ALLOWED[mine] or g in EVERYONES:
            continue
        wrong.append("%s (%s) includes %s (%s): %s may use only %s" %
                     (f, mine, g, theirs, mine, ", ".join(sorted(ALLOWED[mine])) or "itself"))
report(not wrong, "dependencies run one way: process -> doors -> show -> targets, journal -> "
       "clock -> rundown", wrong)

# 3. The pure library.
impure = []
for f in files:
    if folder(f) != "rundown":
        continue
    for name in system[f]:
        if name in IMPURE_INCLUDES:
            impure.append("%s includes <%s>" % (f, name))
    text = strip_comments(open(os.path.join(ROOT, f), encoding="utf-8").read())
    for m in IMPURE_CALLS.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        impure.append("%s:%d calls %s()" % (f, line, m.group(1)))
report(not impure, "rundown/ does no I/O and reads no clock", impure)

passed = failed = 0
for i, (ok, name, details) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    for d in details:
        print("#   " + d)
    passed += ok
    failed += not ok
print("1..%d" % len(results))
print("layout: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
