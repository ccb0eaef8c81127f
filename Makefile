# gocnn developer targets. `make test` is the test command CI runs.
GO ?= go

.PHONY: test test-short test-purego vet bench bench-vs-torch bench-loader bench-cpu fuzz-short build standin test-standin gpu-rehearsal

# OPENBLAS is "yes" when cgo can build against OpenBLAS (libopenblas-dev: cblas.h and the
# library); without it, vet and bench leave out -tags openblas and say so.
OPENBLAS ?= $(shell echo 'int main(void) { openblas_set_num_threads(1); return 0; }' | \
	$${CC:-cc} -x c -include cblas.h - -lopenblas -o /dev/null 2>/dev/null && echo yes)
NO_OPENBLAS = echo "$@: skipped -tags openblas: OpenBLAS not found (apt install libopenblas-dev)"

# LIBJPEG_TAGS is "-tags libjpeg" when cgo can build against libjpeg-turbo (turbojpeg.h and
# libturbojpeg: apt install libturbojpeg0-dev), empty otherwise (docker/libjpeg-tags.sh):
# test and test-short decode JPEGs with it where it is installed, image/jpeg
# elsewhere. LIBJPEG=no forces the pure-Go decoder.
LIBJPEG_TAGS ?= $(shell sh docker/libjpeg-tags.sh)

## test: the full test suite (with libjpeg-turbo when installed; see LIBJPEG_TAGS)
test:
	$(GO) test $(LIBJPEG_TAGS) ./...

## test-short: skip the slowest model tests
test-short:
	$(GO) test -short $(LIBJPEG_TAGS) ./...

## test-purego: the decoding and loading tests in the pure-Go build, which `make test` leaves
## out where libjpeg-turbo is installed (CI runs both)
test-purego:
	$(GO) test ./data/ ./train/ -run 'Decode|Draft|Loader|Folder|BenchData'

## vet: static checks for the default build and the optional tags (openblas, libjpeg when installed)
vet:
	$(GO) vet ./...
ifneq ($(LIBJPEG_TAGS),)
	$(GO) vet $(LIBJPEG_TAGS) ./data/
else
	@echo "$@: skipped -tags libjpeg: libjpeg-turbo not found (apt install libturbojpeg0-dev)"
endif
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

## bench-vs-torch: whole CPU training steps, gocnn against Debian's PyTorch, interleaved (ROUNDS=3)
bench-vs-torch:
	bash scripts/bench-vs-torch.sh $(or $(ROUNDS),3)

## build: the train command as the CPU image ships it (static; libjpeg-turbo linked in where
## libturbojpeg0-dev is installed, image/jpeg otherwise; see docker/build.sh)
build:
	sh docker/build.sh cpu bin/train

## bench-loader: the ImageNet training input pipeline, gocnn (pure Go and libjpeg-turbo)
## against torchvision's ImageFolder + DataLoader, interleaved (ROUNDS=3)
bench-loader:
	bash scripts/bench-loader.sh /tmp/gocnn-loader-corpus $(or $(ROUNDS),3)

# Each target runs for a number of executions (about 5 s each on the 2-core
# development machine), not for a duration: with a duration, Go 1.26's fuzz
# coordinator can report "context deadline exceeded" as a failure when the
# deadline fires while a worker is mid-input (golang/go#75804, fixed in Go
# 1.27), which a loaded CI machine hits. FUZZ_TIME=30s (or 200000x) overrides
# every target's budget.
FUZZ_TARGETS = ./data:FuzzDecodeImage:500x ./data:FuzzDecodeMask:10000x ./data:FuzzReadIDX:15000x \
	./data:FuzzDecodeCIFAR:20000x ./checkpoint:FuzzReadSafetensors:100000x
FUZZ_TIME ?=

## fuzz-short: a short budget per fuzz target of the decoders (go test -fuzz runs one target at a time)
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$${FUZZ_TIME:-$${rest#*:}}; \
		echo "fuzz $$name ($$pkg, $$budget)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget -fuzzminimizetime 3s $$pkg || exit 1; \
	done

## standin: the stand-in CUDA device (libcuda.so.1, libnccl.so.2, libnvidia-ml.so.1) in .standin/lib
standin:
	$(MAKE) -C cuda/standin OUT=$(CURDIR)/.standin

## test-standin: the cuda build's tests, zoo and a train run on the stand-in device (as CI runs them)
test-standin:
	scripts/standin-check.sh

## gpu-rehearsal: the GPU machine's checks (scripts/gpu-check.sh, with gpu-multi-check.sh and
## gpu-models.sh, then gpu-amp-check.sh) end to end against the stand-in device; logs in
## out/gpu-rehearsal/
gpu-rehearsal:
	scripts/gpu-prepare.sh
	GPU_REHEARSAL=1 OUT=$(CURDIR)/out/gpu-rehearsal scripts/gpu-check.sh
	GPU_REHEARSAL=1 OUT=$(CURDIR)/out/gpu-rehearsal scripts/gpu-amp-check.sh

include docker/docker.mk
