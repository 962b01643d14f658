# The two commands of the README: `make run` and `make test`.
SWIFT ?= swift
ARGS ?= serve

.PHONY: run test build release bench fixtures clean

run: release
	.build/release/upare $(ARGS)

test:
	scripts/setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	if [ -n "$$UPARE_TEST_POSTGRES" ]; then UPARE_TEST_ENGINE=postgres $(SWIFT) test --skip-build --filter ServerTests; fi
	if [ -n "$$UPARE_TEST_POSTGRES" ]; then scripts/cluster-test; fi
	scripts/oauth-client-test

build:
	scripts/setup
	$(SWIFT) build

release:
	scripts/setup
	$(SWIFT) build -c release --product upare

bench:
	scripts/setup
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

fixtures:
	python3 scripts/make-fixtures.py

clean:
	rm -rf .build Benchmarks/.build
