# Voucher-Portal of the Städtebund Academy.
#   make        build bin/voucherd and bin/voucherctl
#   make run    install what is missing, build, create var/ with a demo
#               database and serve http://127.0.0.1:$(PORT) through nginx
#   make test   install what is missing, build, run every test
#   make bench  wrk against nginx: GET /kurse vs. a plain FastCGI hello-world
#   make fuzz   libFuzzer on every parser of outside input, FUZZ_SECONDS each
#   make soak   SOAK_SECONDS (60) of 64 connections of mixed traffic; checks the database after

PORT ?= 8080
CC ?= cc
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Debian 12 packages: to build and run, to test, to benchmark.
RUN_PACKAGES = gcc make pkg-config libfcgi-dev libctpl-dev libglib2.0-dev libsqlite3-dev sqlite3 \
  libsodium-dev libcurl4-openssl-dev libhpdf-dev libqrencode-dev libxml2-dev fonts-dejavu-core nginx
# clang and libclang-rt-14-dev (the libFuzzer runtime, only recommended by clang) build tests/fuzz/;
# libxml2-utils: xmllint validates every ebInterface XML of the tests against the schema.
TEST_PACKAGES = libcmocka-dev chromium poppler-utils zbar-tools libxml2-utils nodejs clang libclang-rt-14-dev
BENCH_PACKAGES = wrk

PKGS = glib-2.0 gio-2.0 ctpl sqlite3 libsodium libcurl libxml-2.0 libqrencode
WARN = -Wall -Wextra -Werror
CFLAGS_COMMON = -std=c17 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE $(WARN) -Isrc -Ibuild -pthread \
  $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -lhpdf -lm -pthread
RELEASE_FLAGS = -O2 -g
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

MAINS = src/voucherd.c src/voucherctl.c
LIB_SRCS = $(filter-out $(MAINS),$(wildcard src/*.c))
ASSET_FILES = $(sort $(wildcard sql/*.sql) $(wildcard templates/*.html)) conf/demo-catalog.csv
HEADERS = $(wildcard src/*.h src/*.def)

REL_OBJS = $(patsubst src/%.c,build/rel/%.o,$(LIB_SRCS)) build/rel/assets_data.o
ASAN_OBJS = $(patsubst src/%.c,build/asan/%.o,$(LIB_SRCS)) build/asan/assets_data.o
UNIT_TESTS = $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps test-deps run test unit bench soak fuzz clean check-layers check check-deps valgrind
all: bin/voucherd bin/voucherctl

build/assets_data.c: src/embed.sh $(ASSET_FILES)
	@mkdir -p build
	@sh src/embed.sh $@ $(ASSET_FILES)

build/rel/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $@"
	@$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) -c $< -o $@
build/rel/assets_data.o: build/assets_data.c src/assets.h
	@$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) -c $< -o $@
build/asan/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $@"
	@$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -c $< -o $@
build/asan/assets_data.o: build/assets_data.c src/assets.h
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -c $< -o $@

build/rel/libvoucher.a: $(REL_OBJS)
	@rm -f $@ && ar rcs $@ $^
build/asan/libvoucher.a: $(ASAN_OBJS)
	@rm -f $@ && ar rcs $@ $^

bin/%: src/%.c build/rel/libvoucher.a
	@mkdir -p bin
	@echo "LINK $@"
	@$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) $< build/rel/libvoucher.a $(LIBS) -o $@

# The test build: the same programs with AddressSanitizer and UBSan.
build/asan/bin/%: src/%.c build/asan/libvoucher.a
	@mkdir -p $(@D)
	@echo "LINK $@"
	@$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) $< build/asan/libvoucher.a $(LIBS) -o $@
build/asan/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/asan/libvoucher.a
	@mkdir -p $(@D)
	@echo "LINK $@"
	@$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -Itests/unit $< build/asan/libvoucher.a $(LIBS) -lcmocka -o $@

# Fuzzing (tests/fuzz/, see docs/testing.md): each fuzz_<name>.c is built with
# clang and libFuzzer, ASan and UBSan, against the pure modules it parses with,
# compiled again by clang into build/fuzz/obj (the gcc objects stay untouched).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(addprefix src/,form.c text.c valid.c mem.c date.c fields.c csv.c config.c voucher.c json.c mime.c \
  support.c money.c cert_number.c)
FUZZ_OBJS = $(patsubst src/%.c,build/fuzz/obj/%.o,$(FUZZ_SRCS))
FUZZERS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined

build/fuzz/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $@"
	@$(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
build/fuzz/libfuzzpure.a: $(FUZZ_OBJS)
	@rm -f $@ && ar rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libfuzzpure.a
	@echo "LINK $@"
	@$(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -Itests/fuzz $< \
	  build/fuzz/libfuzzpure.a -o $@

# Runs each fuzzer for FUZZ_SECONDS on its seeds (tests/fuzz/corpus/<name>,
# read only); what it learns grows build/fuzz/corpus/<name>, findings land in
# build/fuzz/findings/.  A fuzzer stops at its first finding; the others still
# run, and make fails at the end naming the fuzzers that found something.
fuzz: test-deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@mkdir -p build/fuzz/findings
	@bad=; for f in $(FUZZERS); do n=$${f#build/fuzz/fuzz_}; mkdir -p build/fuzz/corpus/$$n; \
	  echo "### fuzzing $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/findings/$$n- build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || bad="$$bad $$n"; \
	done; if [ -n "$$bad" ]; then echo "!!! findings of:$$bad (inputs in build/fuzz/findings/)"; exit 1; fi; \
	echo "### fuzz: nothing found"

# Installs the Debian packages that are missing (as root, or through sudo).
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	  grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
endef

deps:
	$(call install_missing,$(RUN_PACKAGES))
test-deps: deps
	$(call install_missing,$(TEST_PACKAGES))
	@command -v npm >/dev/null || $(SUDO) apt-get install -y -qq npm
	@[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

run: deps
	@$(MAKE) --no-print-directory all
	@PORT=$(PORT) sh conf/run.sh

unit: $(UNIT_TESTS)

# Static checks as gates: cppcheck and the clang static analyzer (scan-build
# over a separate build of every source file, build/scan/); any finding fails.
CHECK_PACKAGES = cppcheck clang-tools-14
SCAN_OBJS = $(patsubst src/%.c,build/scan/%.o,$(wildcard src/*.c))
build/scan/%.o: src/%.c $(HEADERS) build/assets_data.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS_COMMON) -O1 -c $< -o $@
check-deps: deps
	$(call install_missing,$(CHECK_PACKAGES))
check: check-deps build/assets_data.c check-layers
	@echo "### cppcheck"
	@cppcheck --enable=warning,portability --inline-suppr --error-exitcode=1 --std=c11 -q \
	  -Isrc -Ibuild --suppress=missingIncludeSystem src/*.c
	@echo "### scan-build (clang static analyzer)"
	@rm -rf build/scan
	@scan-build-14 --status-bugs -o build/scan-report $(MAKE) --no-print-directory -j2 $(SCAN_OBJS)
	@echo "### check: cppcheck and scan-build found nothing"

# Memcheck: the unit tests built without ASan (build/vg/tests/) and a short
# integration pass with voucherd and voucherctl under valgrind; any error or
# definite/indirect leak fails (tests/valgrind.sh).
VG_TESTS = $(patsubst tests/unit/%.c,build/vg/tests/%,$(wildcard tests/unit/test_*.c))
build/vg/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/rel/libvoucher.a
	@mkdir -p $(@D)
	@echo "LINK $@"
	@$(CC) $(CFLAGS_COMMON) -O1 -g -Itests/unit $< build/rel/libvoucher.a $(LIBS) -lcmocka -o $@
valgrind: test-deps
	$(call install_missing,valgrind)
	@$(MAKE) --no-print-directory all $(VG_TESTS)
	@bash tests/valgrind.sh $(VG_TESTS)

# The layer map (docs/architecture.md): fails on an include from a lower layer
# into a higher one, or on a file of src/ the map does not place.
check-layers:
	@bash tests/layers/check.sh src

test: test-deps
	@$(MAKE) --no-print-directory all build/asan/bin/voucherd build/asan/bin/voucherctl $(UNIT_TESTS) $(FUZZERS)
	@FUZZERS="$(FUZZERS)" bash tests/run.sh $(UNIT_TESTS)

bench: deps
	$(call install_missing,$(BENCH_PACKAGES))
	@$(MAKE) --no-print-directory all build/bench/hello build/bench/codegen
	@bash tests/bench/run.sh

# Soak (not part of make test): SOAK_SECONDS of 64 clients mixing catalog,
# login, redemption, support search and orders through nginx and the release
# voucherd; fails on a 5xx, a lost or doubled redemption (tests/soak/soak.mjs).
SOAK_SECONDS ?= 60
soak: test-deps
	@$(MAKE) --no-print-directory all
	@TEST_BIN_DIR=bin SOAK_SECONDS=$(SOAK_SECONDS) node tests/soak/soak.mjs

build/bench/hello: tests/bench/hello.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) $< -lfcgi -o $@
build/bench/codegen: tests/bench/codegen.c build/rel/libvoucher.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) $< build/rel/libvoucher.a $(LIBS) -o $@

clean:
	rm -rf bin build
