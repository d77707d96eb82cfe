# Ops Brain. `make demo` runs the main job on the embedded database; `make test` runs every test.
SWIFT ?= swift

.PHONY: setup build test demo bench clean

## setup: install missing system packages (apt-get, via sudo when not root)
setup:
	@scripts/setup.sh

## build: compile the opsbrain and opsbrain-sandbox executables
build: setup
	$(SWIFT) build

## test: start a throwaway PostgreSQL and run every test against it
test: setup
	scripts/test.sh

## demo: start the embedded database and run the main job
demo: build
	scripts/demo.sh

## bench: run Benchmarks/ (release builds of opsbrain, opsbrain-sandbox and the bench) and rewrite BENCHMARKS.md
bench: build
	$(SWIFT) build -c release
	$$($(SWIFT) build -c release --show-bin-path)/opsbrain-bench BENCHMARKS.md

## clean: remove build products
clean:
	rm -rf .build
