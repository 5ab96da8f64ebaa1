# wqbench -- one entry point for building, running and testing everything.
#
#   make run      install what is missing, build, boot Debian's 6.12 in QEMU,
#                 run the quick suite and print the report
#   make check    the fast tier: unit tests, command-line errors, a short
#                 fuzz of each target; no guest, under two minutes
#   make test     everything that proves it works (make check's tier first,
#                 then kmod, guest boots)
#   make bench    speed and overhead figures (not part of make test)
#   make reliability  the suite tortured itself; figures into RELIABILITY.md
#   make compare  Debian 6.1 against 6.12: the compare suite, interleaved,
#                 judged by wqbench compare (results/compare-6.1-6.12/)
#   make sensitivity  how small a regression compare catches (~25 min;
#                 docs/compare.md, results/sensitivity-TIME/)
#   make sensitivity-suite  the same per scenario of the quick and compare
#                 suites (~50 min; results/sensitivity-suite-TIME/)
#   make lava     a real LAVA job: Debian's lava-run boots the kernel in
#                 QEMU and runs ci/lava/wqbench.yaml (docs/ci.md)
#
# See README.md for the rest and docs/ARCHITECTURE.md for who owns what.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD   ?= build
WQBENCH := $(BUILD)/wqbench
KERNEL  ?= 6.12

# Debian packages wqbench needs (build, guest boot, tracing, load, plots;
# flex..ccache: guest kernels built from source, `wqbench kernel build`).
DEB_PACKAGES := build-essential pkg-config pahole cpio xz-utils busybox-static \
	kmod qemu-system-x86 qemu-utils linux-perf trace-cmd stress-ng fio \
	libtracefs-dev libtraceevent-dev libtracecmd-dev libinih-dev \
	libjansson-dev libcmocka-dev libcsv-dev gnuplot-nox valgrind perl chromium \
	python3-jsonschema python3-yaml time clang libclang-rt-14-dev \
	flex bison libelf-dev libssl-dev bc ccache

PKGS    := libtracefs libtraceevent libtracecmd inih jansson
CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread

GIT_REV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
GIT_DIRTY := $(shell git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo 1 || echo 0)
DEFS      := -DWQB_GIT_REV=\"$(GIT_REV)\" -DWQB_GIT_DIRTY=$(GIT_DIRTY)

SRCS      := $(sort $(wildcard common/*.c harness/*.c analysis/*.c))
LIB_SRCS  := $(filter-out harness/main.c,$(SRCS))
OBJS      := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRCS := $(sort $(wildcard tests/integration/*.c))
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
# tests/guest/: programs that run inside the guest (module tests); standalone
GUEST_SRCS := $(sort $(wildcard tests/guest/*.c))
GUEST_BINS := $(GUEST_SRCS:tests/guest/%.c=$(BUILD)/tests/guest/%)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# tests/fuzz/: libFuzzer targets, built with clang, ASan and UBSan
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
ASAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/tests/%)
SANITIZE  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Include paths: common/ is the library harness and analysis share (util,
# runcmd, the command table, group definitions); analysis/ is compiled
# without harness/, so it cannot reach into the harness's internals.
INC       := -Icommon -Iharness -Ianalysis -Ikmod
$(BUILD)/obj/analysis/%.o $(BUILD)/asan/obj/analysis/%.o $(BUILD)/fuzz/obj/analysis/%.o: \
	INC := -Icommon -Ianalysis -Ikmod

.PHONY: all deps build kernels kmod run check test unit-test test-bins \
	checkpatch bench compare sensitivity sensitivity-suite lava fuzz-bins reliability clean distclean help

all: build

# Objects reached only through pattern rules (build/fuzz/obj, build/asan/obj)
# would count as intermediate and be deleted after each make, so the next
# `make check` would compile them all again: keep every target.
.SECONDARY:

help:
	@sed -n '2,16p' Makefile | sed 's/^# \{0,1\}//'

# --- dependencies -----------------------------------------------------------
# Installs only what is missing; as non-root prints the command and stops.
# Another apt-get (unattended-upgrades, a second job on the machine) holds
# dpkg's lock for a while, and while it upgrades a package that package is
# not "install ok installed": wait for the lock instead of failing.
APT_WAIT := -o DPkg::Lock::Timeout=900
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "wqbench: missing Debian packages; as root run:"; \
		echo "  apt-get install -y --no-install-recommends $$missing"; \
		exit 1; \
	fi; \
	echo "wqbench: installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get $(APT_WAIT) install -y -q --no-install-recommends $$missing >/dev/null; then \
		apt-get $(APT_WAIT) update -q >/dev/null || { echo "wqbench: apt-get update failed: is the Debian package mirror reachable?"; exit 1; }; \
		apt-get $(APT_WAIT) install -y -q --no-install-recommends $$missing || { echo "wqbench: apt-get install failed for: $$missing"; exit 1; }; \
	fi

# --- the wqbench command ----------------------------------------------------
build: $(WQBENCH)

$(WQBENCH): $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/obj/%.o: %.c $(wildcard common/*.h harness/*.h analysis/*.h kmod/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) $(INC) -c -o $@ $<

$(BUILD)/asan/obj/%.o: %.c $(wildcard common/*.h harness/*.h analysis/*.h kmod/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANITIZE) $(DEFS) $(PKG_CFLAGS) $(INC) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(DEFS) -DWQB_SRC=\"$(CURDIR)\" $(PKG_CFLAGS) $(INC) -o $@ $^ $(PKG_LIBS) -lcmocka

$(BUILD)/asan/tests/%: tests/unit/%.c $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANITIZE) $(DEFS) -DWQB_SRC=\"$(CURDIR)\" $(PKG_CFLAGS) $(INC) -o $@ $^ $(PKG_LIBS) -lcmocka

$(BUILD)/tests/integration/%: tests/integration/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) $(INC) -o $@ $^ $(PKG_LIBS) -lcmocka

$(BUILD)/tests/guest/%: tests/guest/%.c $(wildcard kmod/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Ikmod -o $@ $< -lcmocka

test-bins: $(UNIT_BINS) $(ASAN_BINS) $(INTEG_BINS) $(GUEST_BINS)

# --- kernels and the module -------------------------------------------------
kernels: deps build
	$(WQBENCH) kernel fetch all

# Builds kmod/wqbench.ko for every cached kernel and the running kernel's
# headers where they exist, into build/kmod/<release>/.
kmod: deps build
	$(WQBENCH) kmod build --all

checkpatch: deps
	kmod/checkpatch.sh

# --- the two commands -------------------------------------------------------
RUNDIR := results/quick-$(shell date -u +%Y%m%d-%H%M%S)
# ends with the suite at a glance (suite.md), failed runs first, even when a
# run failed; make's exit status is the run's
run: deps build
	$(WQBENCH) kernel fetch $(KERNEL)
	$(WQBENCH) kmod build --kernel $(KERNEL)
	rc=0; $(WQBENCH) run --kernel $(KERNEL) --results $(RUNDIR) workloads/suites/quick.suite || rc=$$?; \
	$(WQBENCH) --quiet report $(RUNDIR)/2* || true; \
	$(WQBENCH) report --suite --print $(RUNDIR) || { [ $$rc != 0 ] || rc=1; }; \
	exit $$rc

# the no-guest tier of tests/run-tests, which make test runs first
check: deps build test-bins fuzz-bins $(BUILD)/sensitivity
	tests/run-tests --fast

test: deps build test-bins fuzz-bins $(BUILD)/sensitivity
	tests/run-tests

unit-test: deps build test-bins

bench: deps build $(BUILD)/tests/integration/jsonq
	tests/bench/run-bench

$(BUILD)/fuzz/obj/%.o: %.c $(wildcard common/*.h harness/*.h analysis/*.h kmod/*.h) Makefile
	@mkdir -p $(dir $@)
	clang $(CSTD) $(WARN) $(FUZZ_FLAGS) $(DEFS) $(PKG_CFLAGS) $(INC) -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	clang $(CSTD) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(DEFS) -DWQB_SRC=\"$(CURDIR)\" $(PKG_CFLAGS) $(INC) -o $@ $^ $(PKG_LIBS)

fuzz-bins: deps $(FUZZ_BINS)

# The suite tortured: full-size checks, figures into RELIABILITY.md (~45 min)
reliability: deps build kernels test-bins fuzz-bins
	$(WQBENCH) kmod build --all
	tests/reliability/run-reliability

# Exit 1 from compare-kernels means "a regression was found": the report is
# the product, so 1 passes the target.  2 (could not compare) and 3 (too few
# runs to rule out a regression: the report exists but cannot answer the
# question it is for) fail it -- raise REPS.  10: the smallest run count
# a side at which the per-scenario sensitivity study caught anything on
# the compare suite's scenarios (docs/compare.md, "Per scenario").
REPS ?= 10
compare: deps build kernels
	rc=0; $(WQBENCH) compare-kernels --kernel 6.1 --kernel 6.12 --suite compare \
		--reps $(REPS) --out results/compare-6.1-6.12 || rc=$$?; \
	[ $$rc -ne 3 ] || echo "make compare: REPS=$(REPS) is too few to rule out a regression (see Notes in results/compare-6.1-6.12/compare.md): raise REPS"; \
	[ $$rc -le 1 ]

# The sensitivity study (tests/sensitivity/run-sensitivity, docs/compare.md):
# pools of runs with calibrated slowdowns, subsampled.  Sizes itself to the
# host (SENS_ARGS, e.g. --minutes 40 or --publish, go to the driver).
SENS_ARGS ?=
$(BUILD)/sensitivity: tests/sensitivity/sensitivity.c $(LIB_OBJS)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) $(INC) -o $@ $^ $(PKG_LIBS)

sensitivity: deps build $(BUILD)/sensitivity
	$(WQBENCH) kernel fetch $(KERNEL)
	$(WQBENCH) kmod build --kernel $(KERNEL)
	tests/sensitivity/run-sensitivity --kernel $(KERNEL) $(SENS_ARGS)

# The same per scenario of the quick and compare suites, queue->start p50
# and p90 (tests/sensitivity/run-suite-sensitivity, ~50 min of one core;
# SENS_ARGS, e.g. --only percpu-cpu or --publish, go to the driver).
sensitivity-suite: deps build $(BUILD)/sensitivity
	$(WQBENCH) kernel fetch $(KERNEL)
	$(WQBENCH) kmod build --kernel $(KERNEL)
	tests/sensitivity/run-suite-sensitivity --kernel $(KERNEL) $(SENS_ARGS)

# A real LAVA job (docs/ci.md, tests/integration/lava-test): Debian's
# lava-dispatcher (2023.01 on bookworm; no server, no recommends) runs
# ci/lava/wqbench-job.yaml with lava-run on a QEMU device, and LAVA's own
# record of the job is checked.  The root filesystem is debootstrapped once
# into the cache (ci/lava/make-rootfs).  LAVA_KERNEL: a series (6.1, 6.12)
# or the name of a kernel built from source (`wqbench kernel list`).
LAVA_PACKAGES := lava-dispatcher debootstrap cpio git
LAVA_KERNEL   ?= $(KERNEL)
lava: deps build $(BUILD)/tests/integration/jsonq
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(LAVA_PACKAGES)"
	case "$(LAVA_KERNEL)" in 6.1|6.12) $(WQBENCH) kernel fetch $(LAVA_KERNEL) ;; esac
	tests/integration/lava-test --kernel $(LAVA_KERNEL)

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf results/[0-9]* results/latest
