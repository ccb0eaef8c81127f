# gocnn developer targets. `make test` is the test command CI runs.
GO ?= go

.PHONY: test test-short vet bench bench-cpu fuzz-short build standin test-standin gpu-rehearsal

# OPENBLAS is "yes" when cgo can build against OpenBLAS (libopenblas-dev: cblas.h and the
# library); without it, vet and bench leave out -tags openblas and say so.
OPENBLAS ?= $(shell echo 'int main(void) { openblas_set_num_threads(1); return 0; }' | \
	$${CC:-cc} -x c -include cblas.h - -lopenblas -o /dev/null 2>/dev/null && echo yes)
NO_OPENBLAS = echo "$@: skipped -tags openblas: OpenBLAS not found (apt install libopenblas-dev)"

## test: the full test suite (pure-Go build)
test:
	$(GO) test ./...

## test-short: skip the slowest model tests
test-short:
	$(GO) test -short ./...

## vet: static checks for the default build and the optional tags (openblas when installed)
vet:
	$(GO) vet ./...
ifeq ($(OPENBLAS),yes)
	$(GO) vet -tags openblas ./cpu/...
else
	@$(NO_OPENBLAS)
endif

## bench: conv and whole-step CPU benchmarks, pure Go and OpenBLAS (when installed)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 5x ./cpu/ ./nn/models/
ifeq ($(OPENBLAS),yes)
	$(GO) test -tags openblas -run '^$$' -bench . -benchtime 5x ./cpu/ ./nn/models/
else
	@$(NO_OPENBLAS)
endif

## build: the train command (same flags as the CPU image; see docker/build.sh)
build:
	sh docker/build.sh cpu bin/train

FUZZ_TARGETS = ./data:FuzzDecodeImage ./data:FuzzDecodeMask ./data:FuzzReadIDX ./data:FuzzDecodeCIFAR \
	./checkpoint:FuzzReadSafetensors
FUZZ_TIME ?= 5s

## fuzz-short: FUZZ_TIME per fuzz target of the decoders (go test -fuzz runs one target at a time)
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZ_TIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) -fuzzminimizetime 3s $$pkg || exit 1; \
	done

## standin: the stand-in CUDA device (libcuda.so.1, libnccl.so.2, libnvidia-ml.so.1) in .standin/lib
standin:
	$(MAKE) -C cuda/standin OUT=$(CURDIR)/.standin

## test-standin: the cuda build's tests, zoo and a train run on the stand-in device (as CI runs them)
test-standin:
	scripts/standin-check.sh

## gpu-rehearsal: the GPU machine's checks (scripts/gpu-check.sh, with gpu-multi-check.sh and
## gpu-models.sh) end to end against the stand-in device; logs in out/gpu-rehearsal/
gpu-rehearsal:
	scripts/gpu-prepare.sh
	GPU_REHEARSAL=1 OUT=$(CURDIR)/out/gpu-rehearsal scripts/gpu-check.sh

include docker/docker.mk
