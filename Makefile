# showcaller: one Makefile for the daemon, the rundown library, tests and fuzzers.
#
#   make run     install what is missing, build, run the daemon on the demo show (moved to today)
#   make monitor watch the demo's cues arrive (beside make run)
#   make test    install what is missing, build, run every test (unit, corpus,
#                CLI, ASan+UBSan, a short fuzz run); last line "N passed, N failed"
#   make asan    build under ASan+UBSan and run the tests with that build
#   make fuzz    run the libFuzzer targets for FUZZ_SECONDS each
#   make bench   print the benchmark figures
#   make soak    a compressed long show (~8 min): lost or doubled cues, leaks (not in `make test`)
#   make format  clang-format every C file

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
BUILD ?= build
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-format-nonliteral
STD := -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
ALL_CFLAGS := $(STD) $(WARN) $(CFLAGS) -MMD -MP -Irundown -Idaemon
# OpenSSL (libwebsockets' TLS backend on Debian) checks http.tls's files (daemon/tls.c).
LIBS := -lwebsockets -luv -llo -ljansson -lssl -lcrypto -lm -lpthread
# The unit tests link what the daemon links (liblo also checks our OSC encoder).
UNIT_LIBS := $(LIBS)

# Debian packages the build, the tests and the test peers need (OBS Studio runs
# headless under Xvfb for the obs:// target's tests: about 220 MB, 30 s to install).
DEB_PACKAGES := build-essential pkg-config clang libclang-rt-14-dev \
	libuv1-dev libwebsockets-dev libwebsockets-evlib-uv liblo-dev libjansson-dev libssl-dev \
	liblo-tools chromium valgrind python3 python3-autobahn openssl \
	obs-studio xvfb xauth libgl1-mesa-dri iproute2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

RUNDOWN_SRC := $(sort $(wildcard rundown/*.c))
DAEMON_SRC := $(sort $(wildcard daemon/*.c daemon/*/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c tests/unit/*/*.c tests/unit/*/*/*.c))

RUNDOWN_OBJ := $(RUNDOWN_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
# The tests mirror the source tree; unit.h sits at the top of it.
$(UNIT_OBJ): ALL_CFLAGS += -Itests/unit

DAEMON := $(BUILD)/showcallerd
LIBRUNDOWN := $(BUILD)/librundown.a
# Every daemon object but main: what the unit tests of the daemon's pure parts link.
LIBDAEMON := $(BUILD)/libdaemon.a
DAEMON_LIB_OBJ := $(filter-out $(BUILD)/daemon/main.o,$(DAEMON_OBJ))
UNIT := $(BUILD)/unit_tests

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

.PHONY: monitor all deps run test check integration asan asan-build fuzz fuzz-build bench soak format clean

all: $(DAEMON)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBRUNDOWN): $(RUNDOWN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBDAEMON): $(DAEMON_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DAEMON): $(DAEMON_OBJ) $(LIBRUNDOWN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(LIBRUNDOWN) $(LIBS)

$(UNIT): $(UNIT_OBJ) $(LIBDAEMON) $(LIBRUNDOWN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBDAEMON) $(LIBRUNDOWN) $(UNIT_LIBS)

# Installs the Debian packages that are missing; does nothing when all are there.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The demo show on the demo config: web pages on 127.0.0.1:8080, OSC on 9000.
run: deps all
	$(DAEMON) --check config/evening-news.json --config config/demo.json
	$(DAEMON) --demo --config config/demo.json config/evening-news.json

# Watch the demo's cues arrive: stands in for every device config/demo.json
# points at (OSC over UDP and TCP, websocket) and prints each cue. Run it
# beside `make run`, in another terminal.
monitor:
	node clients/cli/cue-monitor.mjs config/demo.json

# The tests of one build: unit tests, the error corpus, the CLI checks and
# the layout (no include circle, dependencies one way, a pure rundown/).
# Each runner prints "name: N passed, N failed"; tests/summary.sh adds them up.
CHECK_RESULTS = $(BUILD)/results/unit.txt $(BUILD)/results/corpus.txt $(BUILD)/results/cli.txt \
	$(BUILD)/results/layout.txt
check: $(DAEMON) $(UNIT)
	@mkdir -p $(BUILD)/results
	@rm -f $(CHECK_RESULTS)
	@st=0; \
	$(UNIT) > $(BUILD)/results/unit.txt 2>&1 || st=1; \
	tests/corpus/run.sh $(DAEMON) > $(BUILD)/results/corpus.txt 2>&1 || st=1; \
	tests/cli/run.sh $(DAEMON) > $(BUILD)/results/cli.txt 2>&1 || st=1; \
	python3 tests/layout/check.py > $(BUILD)/results/layout.txt 2>&1 || st=1; \
	grep -h -E "^(not ok|#)" $(CHECK_RESULTS) || true; \
	tests/summary.sh $(CHECK_RESULTS); \
	exit $$st

# The unit, corpus, CLI and integration tests with the daemon built under
# ASan+UBSan: any report makes the daemon exit non-zero, which fails a test.
# The integration tests run even when a check fails, so one red run shows all.
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build/asan CC=clang CFLAGS="$(ASAN_FLAGS)" \
	LDFLAGS="-fsanitize=address,undefined"
asan: asan-build
	@st=0; $(ASAN_MAKE) check || st=1; $(ASAN_MAKE) integration || st=1; exit $$st

# Compiling is the one step that can use every core; the tests run one at a
# time (timing tests must not compete with each other).
JOBS := $(shell nproc 2>/dev/null || echo 2)
asan-build:
	$(ASAN_MAKE) -j$(JOBS) build/asan/showcallerd build/asan/unit_tests

# Black-box tests of the real binary with third-party peers (Node's test
# runner, npm `ws` and `osc`, liblo-tools). SHOWCALLERD picks the binary.
tests/integration/node_modules/.package-lock.json: tests/integration/package-lock.json
	cd tests/integration && npm ci --silent --no-audit --no-fund

integration: $(DAEMON) tests/integration/node_modules/.package-lock.json
	@mkdir -p $(BUILD)/results
	@rm -f $(BUILD)/results/integration.txt
	@cd tests/integration && SHOWCALLERD=$(abspath $(DAEMON)) node --test --test-concurrency=1 \
		--test-timeout=120000 *.test.mjs > $(abspath $(BUILD))/results/integration.tap 2>&1; \
		st=$$?; grep -E "^not ok|^# (pass|fail)" $(abspath $(BUILD))/results/integration.tap; \
		p=$$(sed -n 's/^# pass //p' $(abspath $(BUILD))/results/integration.tap); \
		f=$$(sed -n 's/^# fail //p' $(abspath $(BUILD))/results/integration.tap); \
		echo "integration: $${p:-0} passed, $${f:-1} failed" > $(abspath $(BUILD))/results/integration.txt; \
		cat $(abspath $(BUILD))/results/integration.txt; exit $$st

# Short fuzz runs keep `make test` honest without taking minutes.
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(UNIT) fuzz-build
	@$(MAKE) --no-print-directory asan-build
	@st=0; \
	$(MAKE) --no-print-directory check || st=1; \
	$(MAKE) --no-print-directory integration || st=1; \
	$(MAKE) --no-print-directory asan || st=1; \
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_SMOKE_SECONDS:-15} || st=1; \
	tests/summary.sh build/results/*.txt build/asan/results/*.txt build/fuzz/results/*.txt; \
	exit $$st

FUZZ_TARGETS := fuzz_rundown fuzz_config fuzz_timefmt fuzz_command fuzz_osc fuzz_import fuzz_journal
FUZZ_BIN := $(FUZZ_TARGETS:%=build/fuzz/%)
# The daemon's pure files every fuzz target links: the command table and its errors.
FUZZ_DAEMON_SRC := daemon/show/command.c daemon/show/errors.c

build/fuzz/%: tests/fuzz/%.c $(RUNDOWN_SRC) $(wildcard rundown/*.h) $(FUZZ_DAEMON_SRC) $(wildcard daemon/show/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Irundown -Idaemon \
		-o $@ $< $(RUNDOWN_SRC) $(FUZZ_DAEMON_SRC) $(FUZZ_EXTRA) -ljansson -lm

# fuzz_osc decodes whole datagrams: it needs the OSC decoder and liblo too.
build/fuzz/fuzz_osc: daemon/doors/osc_decode.c daemon/doors/osc_decode.h
build/fuzz/fuzz_osc: FUZZ_EXTRA = daemon/doors/osc_decode.c $(shell pkg-config --libs liblo)

# fuzz_import reads CSV and Ontime files: the pure converters of daemon/convert/.
CONVERT_SRC := $(sort $(wildcard daemon/convert/*.c))
build/fuzz/fuzz_import: $(CONVERT_SRC) $(wildcard daemon/convert/*.h)
build/fuzz/fuzz_import: FUZZ_EXTRA = $(CONVERT_SRC)

# fuzz_journal reads an as-run file as a start-up does: the journal's reader,
# records and resume (daemon/journal/), and the timebase they convert with.
JOURNAL_FUZZ_SRC := daemon/journal/journal_line.c daemon/journal/asrun_record.c \
	daemon/journal/resume.c daemon/clock/timebase.c daemon/clock/cue_clock.c
build/fuzz/fuzz_journal: $(JOURNAL_FUZZ_SRC) $(wildcard daemon/journal/*.h daemon/clock/*.h)
build/fuzz/fuzz_journal: FUZZ_EXTRA = $(JOURNAL_FUZZ_SRC) -lpthread

fuzz-build: $(FUZZ_BIN)

# Runs every fuzz target for FUZZ_SECONDS on a copy of its seed corpus plus
# what earlier runs found; a crash leaves its input in build/fuzz/ and fails.
fuzz: deps fuzz-build
	@mkdir -p build/fuzz/results
	@rm -f build/fuzz/results/*.txt
	@st=0; for t in $(FUZZ_TARGETS); do \
		tests/fuzz/run.sh build/fuzz/$$t $(FUZZ_SECONDS) > build/fuzz/results/$$t.txt 2>&1 || st=1; \
		tail -n 1 build/fuzz/results/$$t.txt; \
	done; exit $$st

$(BUILD)/bench_parse: tests/bench/bench_parse.c $(LIBRUNDOWN)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBRUNDOWN) $(LIBS)

$(BUILD)/udp_stamp: tests/bench/udp_stamp.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Figures, not assertions: these machines are shared and noisy. The daemon's
# figures (cue lateness, GO -> cue, websocket cues, memory, start-up) come from
# tests/bench/bench.mjs; its method is the comment at its top.
bench: $(BUILD)/bench_parse $(DAEMON) $(BUILD)/udp_stamp tests/integration/node_modules/.package-lock.json
	$(BUILD)/bench_parse config/evening-news.json config/demo.json
	BUILD=$(BUILD) SHOWCALLERD=$(abspath $(DAEMON)) UDP_STAMP=$(abspath $(BUILD)/udp_stamp) \
		node tests/bench/bench.mjs
	SHOWCALLERD=$(abspath $(DAEMON)) node tests/bench/saves.mjs

# A compressed long show against the real daemon: 11,100 OSC cues in 7.5 min,
# a dead websocket target, 200 viewers coming and going; fails on a cue lost or
# doubled, or on RSS or fds growing. SOAK_SECONDS=60 for a quick run; the knobs
# and the method are the comment at the top of tests/soak/soak.mjs.
soak: $(DAEMON) $(BUILD)/udp_stamp tests/integration/node_modules/.package-lock.json
	SHOWCALLERD=$(abspath $(DAEMON)) UDP_STAMP=$(abspath $(BUILD)/udp_stamp) node tests/soak/soak.mjs

format:
	clang-format -i $(RUNDOWN_SRC) $(DAEMON_SRC) $(wildcard rundown/*.h daemon/*.h daemon/*/*.h) \
		$(UNIT_SRC) $(wildcard tests/unit/*.h tests/unit/*/*.h) tests/fuzz/*.c tests/bench/*.c

clean:
	rm -rf build

-include $(RUNDOWN_OBJ:.o=.d) $(DAEMON_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
