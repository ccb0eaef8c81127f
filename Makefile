# gocnn developer targets. `make test` is the test command CI runs.
GO ?= go

.PHONY: test test-short vet bench bench-cpu fuzz-short build

## test: the full test suite (pure-Go build)
test:
	$(GO) test ./...

## test-short: skip the slowest model tests
test-short:
	$(GO) test -short ./...

## vet: static checks for the default build and the optional tags
vet:
	$(GO) vet ./...
	$(GO) vet -tags openblas ./cpu/...

## bench: conv and whole-step CPU benchmarks, pure Go and OpenBLAS
bench:
	$(GO) test -run '^$$' -bench . -benchtime 5x ./cpu/ ./nn/models/
	$(GO) test -tags openblas -run '^$$' -bench . -benchtime 5x ./cpu/ ./nn/models/

## build: the train command (same flags as the CPU image; see docker/build.sh)
build:
	sh docker/build.sh cpu bin/train

## fuzz-short: a few seconds per fuzz target of the decoders
fuzz-short:
	@true

include docker/docker.mk
