#!/usr/bin/env bash
# gpu-multi-check.sh is the multi-GPU part of the GPU checks (issue 8). It
# runs on the GPU machine from the repository root, over the binaries of
# scripts/gpu-prepare.sh (`scripts/gpu-multi-check.sh prepare` runs that),
# alone or as the last part of scripts/gpu-check.sh, the one command to
# give the device tool (see there).
#
# It runs: the NCCL tests of the cuda package (one rank; two ranks on one
# GPU, which NCCL must refuse; two GPUs when there are two), the all-reduce
# benchmarks (ResNet-50's gradients host-staged over -gpus 0,0 and through
# NCCL with one rank), the TCP rendezvous over loopback, and train -bench
# for ResNet-50 on -gpus 0 and -gpus 0,0 to put the all-reduce time next to
# the step time. GPU_MULTI_SECONDS (default 300) bounds it; alone, it
# leaves $OUT/gpu-multi-check.tgz and .txt. It exits non-zero when a test
# fails.
#
# GPU_REHEARSAL=1 (see gpu-lib.sh): the same against the stand-in, with one
# iteration per benchmark, batch 2 and the stand-in's kernels skipped in
# the timing steps.
# shellcheck disable=SC2317 # the functions run through gpu_run
set -uo pipefail # not -e: a failing step must not stop the others
cd "$(dirname "$0")/.." || exit 2

if [ "${1:-}" = prepare ]; then
	exec scripts/gpu-prepare.sh
fi

# shellcheck source=scripts/gpu-lib.sh
. scripts/gpu-lib.sh
if [ "$rehearsal" = 1 ]; then
	gpu_start gpu-multi-check "${GPU_MULTI_SECONDS:-1200}"
	timing_env=(env GOCNN_SIM_SKIP_KERNELS=1)
	nccl_benchtime=1x allreduce_benchtime=1x bench_batch=2
else
	gpu_start gpu-multi-check "${GPU_MULTI_SECONDS:-300}"
	timing_env=(env)
	nccl_benchtime=20x allreduce_benchtime=10x bench_batch=32
fi

main() {
	local gpus name
	if [ "$rehearsal" = 1 ]; then
		skip_step gpu-info "nvidia-smi needs the card"
	else
		timeout 30 nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader | tee "$logs/gpu.txt"
	fi

	# NCCL: one rank, two ranks refused on one GPU, two GPUs when present.
	if ! step nccl 60 "$bin/cuda.test" -test.count=1 -test.v -test.run TestNCCL; then
		failed nccl
		grep -E -- '--- FAIL|panic|Error|nccl' "$logs/nccl.log" | head -30
	fi
	grep -E -- '^ *--- (PASS|FAIL|SKIP)|NCCL version|refused' "$logs/nccl.log"

	# All-reduce of ResNet-50's gradients per step.
	step nccl-bench 60 "${timing_env[@]}" "$bin/cuda.test" -test.run '^$' -test.bench NCCLAllReduce \
		-test.benchtime "$nccl_benchtime" || failed nccl-bench
	grep -E '^Benchmark' "$logs/nccl-bench.log" | measured
	step allreduce 90 "${timing_env[@]}" "$bin/train.test" -test.run '^$' -test.bench AllReduceResNet50 \
		-test.benchtime "$allreduce_benchtime" || failed allreduce
	grep -E '^Benchmark|FAIL|panic' "$logs/allreduce.log" | measured

	# The TCP rendezvous (needs no GPU; here to run on the machine that will
	# use it).
	step dist 60 "$bin/dist.test" -test.count=1 || failed dist
	tail -1 "$logs/dist.log"

	# Step time of ResNet-50, one device and two logical devices on GPU 0: the
	# all-reduce above is the difference they pay for.
	for gpus in 0 0,0; do
		name=bench-gpus-${gpus//,/-} # the device tool refuses ',' in names
		step "$name" 90 "${timing_env[@]}" "$bin/train" -bench -model resnet50 -gpus "$gpus" \
			-batch "$bench_batch" || failed "$name"
		tail -3 "$logs/$name.log" | measured
	done
	finish
}

gpu_run main
