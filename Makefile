# Makefile for ocop, the OCOP catalog server.
# make          build ./ocop
# make run      install missing Debian packages, build, seed, serve on :8080
# make test     unit + integration + browser tests (ASan/UBSan build)
# make bench    wrk benchmark against nginx, writes docs/performance.md
# make lint     banned functions; make check-format: clang-format

PKGS     := libmicrohttpd sqlite3 libcurl libcjson libutf8proc libqrencode zlib libsodium vips libwebp xlsxwriter
CC       ?= cc
# -Wno-format-truncation: we use snprintf exactly because it truncates safely;
# GCC 12 flags every %s into a fixed buffer, even where truncation is handled.
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wvla \
            -Wno-format-truncation
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -Iintegrations $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      := $(shell find src integrations -name '*.c' ! -path 'src/tools/*' | sort)
LIBSRC   := $(filter-out src/ocop.c,$(SRC))
MIGR     := $(sort $(wildcard src/db/migrations/*.sql))
GEN      := build/gen/migrations.c
GEN_PW   := build/gen/passwords.c

# src/x.c -> build/rel/x.o; integrations/x.c -> build/rel/integrations/x.o
REL_OBJ  := $(patsubst integrations/%.c,build/rel/integrations/%.o,$(patsubst src/%.c,build/rel/%.o,$(LIBSRC))) build/rel/gen/migrations.o build/rel/gen/passwords.o
SAN_OBJ  := $(patsubst integrations/%.c,build/san/integrations/%.o,$(patsubst src/%.c,build/san/%.o,$(LIBSRC))) build/san/gen/migrations.o build/san/gen/passwords.o

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
ITEST_SRC := $(shell find tests/integration -name 'itest_*.c' 2>/dev/null | sort)
ITEST_BIN := $(patsubst tests/integration/%.c,build/itests/%,$(ITEST_SRC))

.PHONY: all run test unit itest bench lint check-format deps clean
all: ocop

deps:
	@sh scripts/deps.sh

build/embed: src/tools/embed.c
	@mkdir -p $(@D)
	$(CC) -std=c17 $(WARN) -O1 -o $@ $<

$(GEN): build/embed $(MIGR)
	@mkdir -p $(@D)
	build/embed ocop_migrations $(MIGR) > $@

$(GEN_PW): build/embed src/auth/common-passwords.txt
	@mkdir -p $(@D)
	build/embed ocop_common_passwords src/auth/common-passwords.txt > $@

# Two rules, not one with two targets: a pattern rule with several targets
# is run once for all of them, so -j would race for the other object.
build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

build/rel/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/san/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -MMD -MP -c -o $@ $<

# Shorter stem wins, so these are used over the src/ rules above.
build/rel/integrations/%.o: integrations/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/san/integrations/%.o: integrations/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -MMD -MP -c -o $@ $<

build/rel/libocop.a: $(REL_OBJ)
	ar rcs $@ $^

build/san/libocop.a: $(SAN_OBJ)
	ar rcs $@ $^

ocop: build/rel/ocop.o build/rel/libocop.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/san/ocop: build/san/ocop.o build/san/libocop.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

build/tests/%: tests/unit/%.c build/san/libocop.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 $(shell pkg-config --cflags cmocka) -Itests/unit -o $@ $< build/san/libocop.a $(LIBS) $(shell pkg-config --libs cmocka)

build/itests/%: tests/integration/%.c tests/integration/itest.c tests/integration/itest.h build/san/libocop.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 $(shell pkg-config --cflags cmocka) -Itests/integration -o $@ $< tests/integration/itest.c build/san/libocop.a $(LIBS) $(shell pkg-config --libs cmocka)

# The mock marketplaces (tests and demos only; never linked into ocop).
MOCK_SRC := $(sort $(wildcard tests/mock/*.c))
build/mockmkt: $(MOCK_SRC) tests/mock/mock.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/mock -o $@ $(MOCK_SRC) $(LIBS)

unit: $(UNIT_BIN)
itest: $(ITEST_BIN)

run: deps ocop build/mockmkt
	@sh scripts/run.sh

test:
	@sh scripts/deps.sh test
	@sh scripts/test.sh

bench: ocop
	@sh scripts/deps.sh bench
	@sh tests/bench/bench.sh

lint:
	@sh scripts/lint.sh

check-format:
	@clang-format --dry-run --Werror $(SRC) $(shell find src -name '*.h')

clean:
	rm -rf build ocop

-include $(shell find build -name '*.d' 2>/dev/null)
