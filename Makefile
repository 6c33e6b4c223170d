# rdrop — build, test, demo.  `make help` lists the targets.
BUILD    ?= build
CC       ?= cc
OPT      ?= -O3
PKGS     := openblas zlib inih stb libmicrohttpd
TESTPKGS := criterion

# A missing dependency runs the installer once, before anything else.
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists $(PKGS) $(TESTPKGS) 2>/dev/null && echo ok),ok)
$(info make: a dependency is missing; running scripts/install-deps.sh)
$(if $(shell scripts/install-deps.sh >&2 && echo ok),,$(error scripts/install-deps.sh failed; see above))
endif
endif

CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS))
# No errno or FP traps from math (rdrop reads neither): lets sqrtf and the
# elementwise loops with a select compile to vector instructions. No FMA
# contraction: the AVX2 copies of the hot loops (src/fast/vector_clones.h)
# must round exactly as the baseline ones do.
CFLAGS   += -pthread -fno-math-errno -fno-trapping-math -ffp-contract=off -D_POSIX_C_SOURCE=200809L -MMD -MP $(EXTRA_CFLAGS)
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lm -pthread $(EXTRA_LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/util/*.c src/engine/*.c src/fast/*.c src/blas/*.c src/loss/*.c src/data/*.c src/config/*.c src/store/*.c src/train/*.c src/check/*.c src/report/*.c src/bench/*.c src/serve/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/src/serve/web_files.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

LIB  := $(BUILD)/librdrop.a
BIN  := $(BUILD)/rdrop
UNIT := $(BUILD)/unit-tests

.PHONY: all test test-unit test-cli test-sanitize test-valgrind fuzz fuzz-build fuzz-regress demo data bench bench-serve figures clean help install uninstall
all: $(LIB) $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The page's files (web/) go into the binary through the assembler's .incbin.
$(BUILD)/src/serve/web_files.o: src/serve/web_files.S $(wildcard web/*)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(UNIT): $(TEST_OBJ) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS))

# The README's test command: unit tests (Criterion), then the CLI and doc
# checks, then one line with the totals.
test: $(UNIT) $(BIN)
	sh tests/run.sh $(UNIT) $(BIN) $(TEST_ARGS)

test-unit: $(UNIT)
	$(UNIT) $(TEST_ARGS)

test-cli: $(BIN)
	@for t in $(sort $(wildcard tests/cli/*.sh)); do \
	  echo "== $$t"; RDROP=$(BIN) sh $$t || exit 1; done

# Distinct exit codes, so a sanitizer report can never pass for rdrop's own
# exit status 1 in the CLI tests.
test-sanitize: export ASAN_OPTIONS = exitcode=86:detect_leaks=1
test-sanitize: export UBSAN_OPTIONS = halt_on_error=1:exitcode=87:print_stacktrace=1
test-sanitize:
	$(MAKE) BUILD=build-san OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# A small training run under valgrind memcheck; the script reads its summary.
test-valgrind: $(BIN)
	RDROP=$(BIN) sh tests/valgrind/memcheck.sh

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang and the sanitizers
# in build-fuzz/. `make fuzz FUZZ_SECONDS=N` runs each for N seconds, starting
# from the committed corpus tests/fuzz/corpus/<target>/; new inputs go to
# build-fuzz/corpus/<target>/ and crashes to build-fuzz/crashes/<target>-*.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LDLIBS)

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -gline-tables-only" \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" EXTRA_LDFLAGS="$(FUZZ_SAN)" \
	  $(FUZZ_TARGETS:%=build-fuzz/fuzz/%)

# Every committed corpus input once (the regression cases): a few seconds.
fuzz-regress: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  out=$$(build-fuzz/fuzz/$$t -runs=0 tests/fuzz/corpus/$$t 2>&1) || \
	    { echo "$$out"; echo "$$t: FAILED"; exit 1; }; \
	  echo "$$t: corpus of $$(ls tests/fuzz/corpus/$$t | wc -l) inputs passed"; done

fuzz: fuzz-build
	@mkdir -p build-fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t: $(FUZZ_SECONDS) s"; mkdir -p build-fuzz/corpus/$$t; \
	  build-fuzz/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crashes/$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	    || exit 1; done

data:
	sh data/fetch-mnist.sh data/mnist

demo: all data
	sh scripts/demo.sh $(BIN)

bench: all
	sh bench/run.sh $(BIN)

# rdrop serve's predict requests: req/s and latency, 1 and 8 clients.
bench-serve: all
	sh bench/serve.sh $(BIN)

# The docs' drawn figures (scripts/figures/, one file per figure), with the
# plots' canvas and charts, into docs/img/.
figures: $(LIB)
	$(CC) $(CFLAGS) -o $(BUILD)/draw-figures $(sort $(wildcard scripts/figures/*.c)) $(LIB) $(LDLIBS)
	$(BUILD)/draw-figures docs/img

# The GNU way: `make install PREFIX=/usr DESTDIR=/tmp/stage`, and
# `make uninstall` with the same variables. The library and its headers
# build programs through pkg-config: cc prog.c $(pkg-config --cflags --libs rdrop).
PREFIX  ?= /usr/local
VERSION := $(shell sed -n 's/^#define RDROP_VERSION "\(.*\)"/\1/p' include/rdrop/version.h)
HEADERS := $(notdir $(wildcard include/rdrop/*.h))
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/rdrop
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/rdrop
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/librdrop.a
	install -m 644 $(addprefix include/rdrop/,$(HEADERS)) $(DESTDIR)$(PREFIX)/include/rdrop/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' rdrop.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/rdrop.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rdrop $(DESTDIR)$(PREFIX)/lib/librdrop.a \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/rdrop.pc $(addprefix $(DESTDIR)$(PREFIX)/include/rdrop/,$(HEADERS))
	-rmdir $(DESTDIR)$(PREFIX)/include/rdrop 2>/dev/null

clean:
	rm -rf build build-*

help:
	@echo "make            build build/librdrop.a and build/rdrop"
	@echo "make test       unit tests, CLI tests and doc checks"
	@echo "make demo       fetch MNIST, train dropout and R-Drop, print both accuracies"
	@echo "make data       fetch and verify MNIST into data/mnist"
	@echo "make bench      throughput benchmark (and PyTorch when installed)"
	@echo "make bench-serve  rdrop serve: predict requests per second and latency"
	@echo "make figures    redraw the docs' drawn figures (scripts/figures/ -> docs/img/)"
	@echo "make test-sanitize  the tests under AddressSanitizer + UBSan"
	@echo "make test-valgrind  a small training run under valgrind memcheck"
	@echo "make fuzz FUZZ_SECONDS=N  each libFuzzer target for N seconds (clang)"
	@echo "make fuzz-regress   each fuzz target once over its committed corpus"
	@echo "make install    rdrop, librdrop.a, the headers and rdrop.pc under PREFIX (/usr/local), DESTDIR honoured"
	@echo "make uninstall  remove what make install put there"
	@echo "make clean      remove build outputs"

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
