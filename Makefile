# Top-level driver: CMake does the C++ build; this file wires set-up, tests and demos.
#   make demo    build, then enumerate and mine the built-in simulated hashboard
#   make board-demo  build, then bring up, mine and power down a shipped board file in-process
#   make test    build and run every test (kernel module in QEMU, FPGA benches, release
#                build, lint gate, ASan/UBSan build, fuzz smoke run)
#   make lint    clang-format and clang-tidy over the tree (docs/lint.md)
#   make bench   build and run the benchmarks
#   make install build, then install (PREFIX=/usr/local, DESTDIR for staging)
#   make kmod    build kmod/hashboard.ko against the installed Debian headers (W=1, sparse)
#   make test-kmod  build the module, checkpatch it, boot it in QEMU against hbsim
SHELL := /bin/bash
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10
PREFIX ?= /usr/local
CMAKE_FLAGS ?=

HBCTL := $(BUILD)/tools/hbctl

# The kernel the module is built for: the installed linux-headers-amd64's ABI, which is
# also the image tests/kmod/run boots (docs/kmod.md).
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(KVER)

.PHONY: kmod kmod-clean test-kmod kmod-install
kmod:
	$(MAKE) -C kmod KDIR=$(KDIR) EXTRA="W=1 C=2"

kmod-clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean

# W=1 + sparse warning-free, checkpatch --strict, then the module in a QEMU guest
# against hbsim from $(BUILD) (tests/kmod/check, docs/kmod.md).
test-kmod: build
	BUILD=$(BUILD) KVER=$(KVER) tests/kmod/check

# Registers kmod/ with DKMS (kmod/dkms.conf) and builds and installs it for
# KVER; DKMS rebuilds it on kernel upgrades. Needs root.
KMOD_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kmod/dkms.conf 2>/dev/null)
kmod-install:
	rm -rf /usr/src/hashboard-$(KMOD_VERSION)
	mkdir -p /usr/src/hashboard-$(KMOD_VERSION)
	cp -r kmod/Kbuild kmod/Makefile kmod/dkms.conf kmod/include kmod/*.c kmod/*.h \
		/usr/src/hashboard-$(KMOD_VERSION)/
	dkms remove hashboard/$(KMOD_VERSION) --all >/dev/null 2>&1 || true
	dkms add hashboard/$(KMOD_VERSION)
	dkms build hashboard/$(KMOD_VERSION) -k $(KVER)
	dkms install hashboard/$(KMOD_VERSION) -k $(KVER)

.PHONY: all deps build build-asan demo board-demo install daemon-demo test test-release test-long test-asan lint lint-format lint-all fuzz bench clean

all: build

# install-deps is quick when everything is present; it installs what is missing.
deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/build.ninja: | deps
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHB_SANITIZE=ON -DHB_BUILD_BENCH=OFF \
		-DHB_WITH_RTL=OFF $(CMAKE_FLAGS)

build-asan: deps $(BUILD_ASAN)/build.ninja
	cmake --build $(BUILD_ASAN) -j $(JOBS)

demo: build
	$(HBCTL) scan --chips 12
	$(HBCTL) mine --chips 12 --seconds 20

# Over ptys instead: docs/board-files.md, "Two ways to run a shipped board".
board-demo: build
	$(HBCTL) board mine --board boards/bm1366-12.toml --sim --seconds 10

# Each phase's wall time is printed (scripts/timed) to keep make test inside its 30
# minutes on 2 cores. test-kmod runs alone: under a parallel make, kbuild's jobserver
# warning lands in the module log that test-kmod requires to be warning-free.
test: build
	@scripts/timed test-kmod $(MAKE) --no-print-directory test-kmod
	@scripts/timed test-fpga $(MAKE) --no-print-directory test-fpga
	@scripts/timed test-release $(MAKE) --no-print-directory test-release
	@scripts/timed lint-format $(MAKE) --no-print-directory lint-format
	@scripts/timed test-asan $(MAKE) --no-print-directory test-asan
	@scripts/timed fuzz $(MAKE) --no-print-directory fuzz
	@echo "make test: all tests passed"

# make test checks the layout; clang-tidy (make lint) runs in CI after it (.ci/run): it
# parses every unit whole and would add about ten minutes to make test on 2 cores.
lint-format: build
	scripts/lint --format-only $(BUILD)

# Needs the release tree's compile database, hence the build.
lint: build
	scripts/lint $(BUILD)

# The tests and benches too (slower; not in make test).
lint-all: build
	scripts/lint --all $(BUILD)

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The long flows make test leaves out (about 4 minutes on 2 cores): the tuner on the
# A15-class board (3 x 160 chips) against the oracle, every limit checked at every step.
test-long: build
	cd $(BUILD) && HB_TEST_LONG=1 ctest --output-on-failure -R '^test_tuner$$'

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

# libFuzzer needs clang; the fuzz targets build in their own tree.
fuzz: deps
	cmake -S tests/fuzz -B $(BUILD_FUZZ) -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
		-DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	tests/fuzz/run $(BUILD_FUZZ) $(FUZZ_SECONDS)

# Then the kernel module's frame bench in QEMU (bench/kmod/run, docs/kmod.md "Benchmark").
bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b || exit 1; done
	$(MAKE) kmod
	BUILD=$(BUILD) KVER=$(KVER) KMOD_SKIP_BUILD=1 bench/kmod/run

# DESTDIR is read by cmake --install from the environment.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# hashboardd against hbpool on loopback, both built here: the daemon mines the built-in
# simulated board for 30 s and its API answers on 4028 (docs/daemon.md).
daemon-demo: build
	scripts/daemon-demo $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)

# ---- FPGA prototype (fpga/, docs/fpga.md): iverilog, verilator, yosys, nextpnr-ice40 ----
#   make test-fpga  lint and every self-checking bench, then the yosys smoke synthesis
#   make fpga       full iCE40-HX8K flow (bitstream and report, a few minutes)
.PHONY: test-fpga fpga
# The benches' frames are checked against the HAL's codec (hbctl frames encode), hence
# the build.
test-fpga: build
	HBCTL=$(abspath $(HBCTL)) $(MAKE) -C fpga test smoke

fpga:
	$(MAKE) -C fpga fpga
