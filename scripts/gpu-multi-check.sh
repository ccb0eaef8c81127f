#!/usr/bin/env bash
# gpu-multi-check.sh is the multi-GPU part of the GPU checks (issue 8).
#
#   scripts/gpu-multi-check.sh prepare   on the CPU machine: build the
#                                         binaries into .device/ (carry it)
#   scripts/gpu-multi-check.sh           on the GPU machine, from the
#                                         repository root
#
# On the GPU machine it runs: the NCCL tests of the cuda package (one rank;
# two ranks on one GPU, which NCCL must refuse; two GPUs when there are
# two), the all-reduce benchmarks (ResNet-50's gradients host-staged over
# -gpus 0,0 and through NCCL with one rank), the TCP rendezvous over
# loopback, and train -bench for ResNet-50 on -gpus 0 and -gpus 0,0 to put
# the all-reduce time next to the step time. Logs go to $OUT (or
# /tmp/gpu-multi-check). About 3 minutes, 10 at the very most (each step
# has a limit); it exits non-zero when a
# test fails.
set -uo pipefail
cd "$(dirname "$0")/.."

# The binaries travel stripped and compressed, as .device/multi.tgz, to fit
# the device tool's carry limit (64 MiB) beside gpu-prepare.sh's.
if [ "${1:-}" = prepare ]; then
	set -e
	scripts/install-cuda-toolkit.sh >/dev/null
	export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L/usr/lib/x86_64-linux-gnu/stubs"
	export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	go test -c -ldflags='-s -w' -tags cuda -o "$tmp/cuda.test" ./cuda/
	go test -c -ldflags='-s -w' -tags cuda -o "$tmp/train-cuda.test" ./train/
	go test -c -ldflags='-s -w' -o "$tmp/dist.test" ./train/dist/
	go build -ldflags='-s -w' -tags cuda -o "$tmp/train-cuda" ./cmd/train
	mkdir -p .device
	tar czf .device/multi.tgz -C "$tmp" cuda.test train-cuda.test dist.test train-cuda
	ls -l .device/multi.tgz
	exit 0
fi

out=${OUT:-/tmp/gpu-multi-check}
mkdir -p "$out"
[ -f .device/multi.tgz ] || { echo "gpu-multi-check: .device/multi.tgz missing: run scripts/gpu-multi-check.sh prepare and carry .device" >&2; exit 2; }
bin=$(mktemp -d)
tar xzf .device/multi.tgz -C "$bin"
nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
ldconfig -p | grep -E 'libnccl\.so' | tee "$out/nccl-lib.txt" || echo "gpu-multi-check: libnccl.so.2 not in the linker cache"

status=0
step_prefix=gpu-multi-check
. scripts/gpu-step.sh

# NCCL: one rank, two ranks refused on one GPU, two GPUs when present.
if ! step nccl 120 "$bin/cuda.test" -test.count=1 -test.v -test.run 'TestNCCL'; then
	status=1
	grep -E -- '--- FAIL|panic|Error|nccl' "$out/nccl.log" | head -30
fi
grep -E -- '^ *--- (PASS|FAIL|SKIP)|NCCL version|refused' "$out/nccl.log"

# All-reduce of ResNet-50's gradients per step.
step nccl-bench 60 "$bin/cuda.test" -test.run '^$' -test.bench 'NCCLAllReduce' -test.benchtime 20x || status=1
grep -E '^Benchmark' "$out/nccl-bench.log"
step allreduce 120 "$bin/train-cuda.test" -test.run '^$' -test.bench 'AllReduceResNet50' -test.benchtime 10x || status=1
grep -E '^Benchmark|FAIL|panic' "$out/allreduce.log"

# The TCP rendezvous (needs no GPU; here to run on the machine that will
# use it).
step dist 60 "$bin/dist.test" -test.count=1 || status=1
tail -1 "$out/dist.log"

# Step time of ResNet-50, one device and two logical devices on GPU 0: the
# all-reduce above is the difference they pay for. Until train drives the
# CUDA backend, these print train's one-line error instead.
for gpus in 0 0,0; do
	step "bench-gpus=$gpus" 150 "$bin/train-cuda" -bench -model resnet50 -gpus "$gpus" -batch 32 || true
	tail -3 "$out/bench-gpus=$gpus.log"
done
exit $status
