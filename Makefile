# The two commands of the README: `make run` and `make test`.
SWIFT ?= swift
ARGS ?= serve

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: run test build release install man bench fixtures clean

run: release
	.build/release/upare $(ARGS)

test:
	scripts/setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	if [ -n "$$UPARE_TEST_POSTGRES" ]; then UPARE_TEST_ENGINE=postgres $(SWIFT) test --skip-build --filter ServerTests; fi
	if [ -n "$$UPARE_TEST_POSTGRES" ]; then scripts/cluster-test; fi
	scripts/oauth-client-test
	scripts/pow-client-test
	scripts/openapi-check
	scripts/examples-test
	scripts/browser-test

build:
	scripts/setup
	$(SWIFT) build

release:
	scripts/setup
	$(SWIFT) build -c release --product upare

# The binary, fonts, completions, man page and licence files under $(PREFIX)
# (`make install PREFIX=$$HOME/.local`, or DESTDIR=... for packaging).
install: release man
	scripts/install --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --build .build/release --man .build/upare.1

# swift-argument-parser's GenerateManual plugin writes the page from the
# commands' own help (it builds the release products first).
man:
	scripts/setup
	$(SWIFT) package generate-manual
	cp "$$(find .build/plugins -name upare.1 | head -n 1)" .build/upare.1

bench:
	scripts/setup
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

fixtures:
	python3 scripts/make-fixtures.py

clean:
	rm -rf .build Benchmarks/.build
