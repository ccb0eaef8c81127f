#!/usr/bin/env bash
# standin-check.sh runs the cuda build on the stand-in CUDA device
# (cuda/standin): CPU-only machines check GPU code this way on every
# change. It builds the stand-in into .standin/ and the cuda-tagged test
# binaries and train command into .standin/bin/, then runs, with the
# stand-in first on LD_LIBRARY_PATH:
#   - the stand-in's own checks (driver faithfulness, NCCL, NVML);
#   - the cuda package's tests on two stand-in devices (the shared backend
#     suite, GEMM and convolutions against the CPU, peer copies, NCCL), and
#     the suite and kernel checks again with each block's threads in
#     shuffled order, which exposes a missing __syncthreads;
#   - the tests of train, cmd/train and the gocnn package in the cuda build
#     (where -gpus defaults to GPU 0), out of memory included, then those
#     of several devices and of several processes on four stand-in devices;
#   - with GOCNN_SIM_SKIP_KERNELS=1 (launches and copies checked and
#     counted, not run): every model of the zoo at full size, at most one
#     host-blocking sync per training step, and ResNet-50's memory budget
#     at batch 64;
#   - the zoo's training test for one model of each family;
#   - a short `train -gpus 0` run whose validation loss must fall.
# `make test-standin` runs it; .ci/run too. About 8 minutes on 2 cores
# from a cold build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
say() { echo "standin-check: $* ($((SECONDS - start))s)"; }

scripts/install-cuda-toolkit.sh >/dev/null # cuda.h
make -s standin -j"$(nproc)"
say "stand-in built"

root=$PWD
bin=$root/.standin/bin
mkdir -p "$bin"
# Link against the stand-in's libcuda.so.1: no toolkit link stub needed.
export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$root/.standin/lib"
# go-nvml's cgo prologue warns about NVML's deprecated calls on every build.
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"
go test -c -tags cuda -o "$bin/cuda.test" ./cuda/
go test -c -tags cuda -o "$bin/models.test" ./nn/models/
go test -c -tags cuda -o "$bin/train.test" ./train/
go test -c -tags cuda -o "$bin/cmd-train.test" ./cmd/train/
go test -c -tags cuda -o "$bin/gocnn.test" .
go build -tags cuda -o "$bin/train" ./cmd/train
say "cuda test binaries and train built"

export LD_LIBRARY_PATH="$root/.standin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# A fault names its kernel at the launch that caused it.
export GOCNN_CUDA_DEBUG=1

make -s -C cuda/standin OUT="$root/.standin" check
say "stand-in self-checks passed"

(cd cuda && GOCNN_SIM_DEVICES=2 "$bin/cuda.test" -test.count=1)
say "cuda package passed on two stand-in devices"
(cd cuda && GOCNN_SIM_ORDER=shuffle "$bin/cuda.test" -test.count=1 -test.run 'TestBackend|TestConvAgainstCPU|TestGemmAgainstReference|TestGemmBF16|TestConvBF16')
say "backend suite and kernels passed with shuffled thread order"

(cd train && "$bin/train.test" -test.count=1)
(cd cmd/train && "$bin/cmd-train.test" -test.count=1)
"$bin/gocnn.test" -test.count=1
say "train, cmd/train and gocnn passed in the cuda build"
(cd train && GOCNN_SIM_DEVICES=4 "$bin/train.test" -test.count=1 -test.run 'NCCL|Split|Process|Rank')
say "data parallel through NCCL, -sync-bn, the split AlexNet and two processes passed on two and four stand-in devices"

(cd train && GOCNN_SIM_SKIP_KERNELS=1 GOCNN_CUDA_DEBUG=0 "$bin/train.test" -test.count=1 -test.v \
	-test.run 'TestZooSyncsPerStep|TestResNet50MemoryBudget' | grep -E -- '^(\s+--- FAIL|\s+zoo_cuda_test|\s+memory:|--- |PASS|FAIL|ok)' || true
	exit "${PIPESTATUS[0]}")
say "every zoo model syncs at most once per training step; ResNet-50's memory is within budget"
(cd train && GOCNN_SIM_DEVICES=4 GOCNN_SIM_SKIP_KERNELS=1 GOCNN_CUDA_DEBUG=0 "$bin/train.test" -test.count=1 -test.v \
	-test.run 'TestDataParallelStepCounts|TestNCCLSyncsPerStep' | grep -E -- '^(\s+--- FAIL|\s+ddp_cuda_test|--- |PASS|FAIL|ok)' || true
	exit "${PIPESTATUS[0]}")
say "a data parallel step syncs at most once per device on 1, 2 and 4 stand-in devices"

# One model of each family: plain convolutions, residual, bottleneck,
# dense, grouped, depthwise, squeeze-and-excitation, inception,
# asymmetric (1x7, 7x1) convolutions, segmentation.
zoo='alexnet|resnet20|resnet50|densenet121|resnext50_32x4d|mobilenet_v2|mobilenet_v3_small|googlenet|inception_v3|unet'
(cd nn/models && "$bin/models.test" -test.count=1 -test.v -test.run "TestTrainingLowersLoss/^($zoo)\$" |
	grep -E -- '^(=== RUN|\s+--- |\s+train_test|PASS|FAIL|ok)' || true; exit "${PIPESTATUS[0]}")
say "zoo training test passed for $zoo"

run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
"$bin/train" -gpus 0 -epochs 2 -limit 64 -output "$run/run" >"$run/log" 2>&1 || { cat "$run/log"; exit 1; }
grep -E '^epoch [0-9]+ val:' "$run/log"
awk '/^epoch [0-9]+ val:/ { loss[++n] = $5 }
	END { if (n < 2 || !(loss[n] < loss[1])) { print "standin-check: validation loss did not fall"; exit 1 } }' "$run/log"
say "train -gpus 0 ran and its validation loss fell"
